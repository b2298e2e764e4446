// The progress of a background BibTeX import, updated without reloading the page; once the
// work is finished the page reloads to show its report. Without this script, the page's link
// shows the progress again.
(function () {
  "use strict";
  var box = document.querySelector(".import-progress[data-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[role=status]");

  function show(status) {
    if (status.finished) {
      window.location.reload();
      return;
    }
    if (status.total) {
      bar.max = status.total;
      bar.value = status.done;
    }
    if (text.textContent !== status.text) {
      text.textContent = status.text;
      bar.textContent = status.text;
    }
    window.setTimeout(poll, 2000);
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(show)
      .catch(function () {
        window.setTimeout(poll, 10000);
      });
  }

  window.setTimeout(poll, 2000);
})();
