/*
 * Shows the French and English versions of each translated admin field as tabs.
 * Without JavaScript both versions stay visible, each labelled with its language.
 * django-modeltranslation marks each version's input with the class "mt-field-<name>-<lang>".
 */
(function () {
  "use strict";

  function languageOf(input) {
    var match = /(?:^|\s)mt-field-(.+)-([a-z]{2}(?:_[a-z]+)?)(?:\s|$)/.exec(input.className);
    return match ? { field: match[1], lang: match[2] } : null;
  }

  function buildTabs(rows, groupIndex) {
    var list = document.createElement("div");
    list.className = "translation-tabs";
    list.setAttribute("role", "tablist");
    var buttons = rows.map(function (entry, index) {
      var button = document.createElement("button");
      var tabId = "translation-tab-" + groupIndex + "-" + index;
      button.type = "button";
      button.id = tabId;
      button.textContent = entry.lang.toUpperCase();
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", entry.row.id || (entry.row.id = tabId + "-panel"));
      entry.row.setAttribute("role", "tabpanel");
      entry.row.setAttribute("aria-labelledby", tabId);
      if (entry.row.querySelector(".errorlist")) {
        button.classList.add("has-errors");
      }
      list.appendChild(button);
      return button;
    });

    function select(selected) {
      buttons.forEach(function (button, index) {
        var active = index === selected;
        button.setAttribute("aria-selected", active ? "true" : "false");
        button.tabIndex = active ? 0 : -1;
        rows[index].row.hidden = !active;
      });
    }

    buttons.forEach(function (button, index) {
      button.addEventListener("click", function () { select(index); });
      button.addEventListener("keydown", function (event) {
        var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (step) {
          var next = (index + step + buttons.length) % buttons.length;
          select(next);
          buttons[next].focus();
          event.preventDefault();
        }
      });
    });

    var firstWithError = rows.findIndex(function (entry) {
      return entry.row.querySelector(".errorlist");
    });
    rows[0].row.parentNode.insertBefore(list, rows[0].row);
    select(firstWithError >= 0 ? firstWithError : 0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var groups = {};
    var order = [];
    document.querySelectorAll("[class*='mt-field-']").forEach(function (input) {
      var info = languageOf(input);
      var row = input.closest(".form-row");
      if (!info || !row || input.closest(".inline-related")) {
        return;
      }
      if (!groups[info.field]) {
        groups[info.field] = [];
        order.push(info.field);
      }
      groups[info.field].push({ lang: info.lang, row: row });
    });
    order.forEach(function (field, index) {
      if (groups[field].length > 1) {
        buildTabs(groups[field], index);
      }
    });
  });
})();
