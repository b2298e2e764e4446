/*
 * A "Copy BibTeX" button beside each citation's BibTeX (templates/includes/publication_cite.html),
 * added only where the browser lets a page write to the clipboard: elsewhere, and without
 * JavaScript, the BibTeX is plain text to select. The outcome is announced in a status region.
 * The button's words come from the citation's data attributes, in the page's language.
 */
(function () {
  "use strict";

  if (!navigator.clipboard || typeof navigator.clipboard.writeText !== "function") {
    return;
  }

  function announce(status, message) {
    // Emptied first, so that copying twice announces it twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function addCopyButton(cite) {
    var source = cite.querySelector(".cite__bibtex");
    var label = cite.querySelector(".cite__label");
    if (!source || !label || cite.querySelector(".cite__copy")) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--small cite__copy";
    button.textContent = cite.dataset.copyLabel;
    var status = document.createElement("span");
    status.className = "cite__status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(
        function () {
          announce(status, cite.dataset.copiedMessage);
        },
        function () {
          announce(status, cite.dataset.copyFailedMessage);
        }
      );
    });
    label.append(" ", button, " ", status);
  }

  document.querySelectorAll(".cite[data-copy-label]").forEach(addCopyButton);
})();
