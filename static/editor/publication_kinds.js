/*
 * Opens the group of fields meant for the kind of publication an editor chooses (a book's
 * publisher, a thesis's institution). The groups carry the class "by-kind" and one
 * "kind-<value>" class per kind they are for.
 * Without JavaScript the page works the same: the server leaves open the groups that the
 * saved kind uses and every group that holds a value, and an editor opens the others.
 */
(function () {
  "use strict";

  function openGroupsFor(kind) {
    var groups = document.querySelectorAll("fieldset.by-kind");
    Array.prototype.forEach.call(groups, function (group) {
      var details = group.querySelector("details");
      if (details && group.classList.contains("kind-" + kind)) {
        details.open = true;
      }
    });
  }

  function init() {
    var select = document.getElementById("id_kind");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () {
      openGroupsFor(select.value);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
