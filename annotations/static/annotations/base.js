// Shared by every page: behaviour that would otherwise need inline script (forbidden by CSP).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select) select.form.submit();
});
