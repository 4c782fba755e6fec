// Re-typeset math in content that htmx swaps in (results arriving after grading).
document.addEventListener("htmx:afterSwap", function (event) {
  if (window.MathJax && window.MathJax.typesetPromise) {
    window.MathJax.typesetPromise([event.detail.elt]).catch(function () {});
  }
});
// A failed save shows the server's message instead of failing silently.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  if (target && event.detail.xhr.responseText) { target.innerHTML = event.detail.xhr.responseText; }
});
document.addEventListener("htmx:sendError", function (event) {
  var target = event.detail.target;
  if (target) { target.innerHTML = '<span class="save-status error">Not saved: the connection failed. Keep this page open; it will retry when you type.</span>'; }
});
// Countdown to the attempt's deadline; at zero the page reloads and the server submits the saved answers.
(function () {
  var el = document.getElementById("deadline");
  var out = document.getElementById("time-left");
  if (!el || !out) { return; }
  var deadline = new Date(el.getAttribute("datetime")).getTime();
  function tick() {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    out.textContent = (h ? h + " h " : "") + (h || m ? m + " min " : "") + s + " s left";
    if (left === 0) { out.textContent = "Time is up: your saved answers are being submitted."; setTimeout(function () { location.reload(); }, 6000); return; }
    setTimeout(tick, 1000);
  }
  tick();
})();
// Template editor: mark the line of a validation error in the Ace gutter and jump to it.
window.addEventListener("load", function () {
  var box = document.querySelector(".validation-errors[data-line]");
  var widget = document.querySelector(".django-ace-widget");
  var line = box && parseInt(box.getAttribute("data-line"), 10);
  if (!line || !widget || !widget.editor) { return; }
  widget.editor.getSession().setAnnotations([{row: line - 1, column: 0, type: "error", text: box.textContent.trim()}]);
  widget.editor.gotoLine(line, 0, true);
});
// Quiz builder: "Add a question" appends a blank slot form (Django formset: __prefix__ and TOTAL_FORMS).
(function () {
  var button = document.getElementById("add-slot");
  var template = document.getElementById("slot-template");
  var total = document.getElementById("id_slots-TOTAL_FORMS");
  if (!button || !template || !total) { return; }
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var forms = document.getElementById("slot-forms");
    forms.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var position = forms.lastElementChild.querySelector("input[name$='-position']");
    if (position && !position.value) { position.value = String(forms.querySelectorAll("fieldset.slot").length); }
  });
})();
// Grading monitor: keep polling while something waits or is being graded (or the last refresh failed).
window.monitorBusy = function () {
  var monitor = document.getElementById("monitor");
  return !monitor || monitor.getAttribute("data-busy") === "true";
};
