// A page shown again by the browser's Back or Forward button may keep its form as the
// visitor last changed it, not as the page was served: the pickers would then name a
// query other than the one the page shows, and submitting would silently switch to it.
// Each form goes back to the values it was served with, which are the page's own query.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    document.querySelectorAll("form[method='get']").forEach((form) => form.reset());
  }
});
