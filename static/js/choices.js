/* Typing in a field that belongs to one choice of a radio group chooses it, at once:
   <input data-selects="ID"> checks the radio #ID when something is typed, and fires its
   change event (so an htmx form refreshes what depends on the choice). htmx cannot check a
   radio without a round trip; the server reads such a form the same way without this. */
"use strict";
document.addEventListener("input", function (event) {
  var field = event.target;
  if (!(field instanceof HTMLInputElement) || !field.dataset.selects || !field.value.trim()) {
    return;
  }
  var choice = document.getElementById(field.dataset.selects);
  if (choice && choice.type === "radio" && !choice.checked) {
    choice.checked = true;
    choice.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
