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
