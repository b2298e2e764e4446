// The review page's autocomplete of a publication: the boxes the autocomplete draws in place
// of the <select> are named by the <select>'s label, so that a screen reader says what it is for.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // The admin draws its autocompletes when the document is ready: name them just after.
  window.setTimeout(() => {
    document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const label = document.querySelector(`label[for="${select.id}"]`);
      const drawn = select.parentElement.querySelectorAll(
        ".select2-selection[role=combobox], .select2-selection__rendered[role=textbox]",
      );
      if (label) {
        label.id = label.id || `${select.id}_label`;
        drawn.forEach((box) => box.setAttribute("aria-labelledby", label.id));
      }
    });
  });
});
