// Copy button for the token value. Where the clipboard is out of reach
// (plain HTTP, or a browser that refuses), the value is selected so that
// Ctrl+C or Cmd+C copies it.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById("copy-status");
  field.focus();
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    status.textContent = "Copied to the clipboard.";
  } catch (error) {
    status.textContent = "Selected. Press Ctrl+C (or Cmd+C) to copy.";
  }
});
