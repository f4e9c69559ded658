// Asks before an irreversible step. A form marked data-confirm (the question) holds a
// checkbox name="confirm"; without this script the person ticks it, and the server refuses
// the form unticked. With it, submitting unticked asks in a dialog and ticks it on "OK".
// data-confirm-field / data-confirm-value: ask only when that choice is the one made.
(function () {
  "use strict";
  function chosen(form, field) {
    var checked = form.querySelector('input[name="' + field + '"]:checked');
    return checked ? checked.value : "";
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]")) {
      return;
    }
    var field = form.getAttribute("data-confirm-field");
    if (field && chosen(form, field) !== form.getAttribute("data-confirm-value")) {
      return;
    }
    var box = form.querySelector('input[name="confirm"]');
    if (!box || box.checked) {
      return;
    }
    if (window.confirm(form.getAttribute("data-confirm"))) {
      box.checked = true;
    } else {
      event.preventDefault();
    }
  });
})();
