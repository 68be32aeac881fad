// Small progressive enhancements. The portal works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  foldingMenu(document.querySelector(".menu-button[aria-controls]"));
});

// The header's menu button (shown on phones by portal.css): aria-expanded is the one state, and
// the CSS hides the links after the button while it is "false". Escape folds it again.
function foldingMenu(button) {
  const nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) return;
  const isOpen = () => button.getAttribute("aria-expanded") === "true";
  const setOpen = (open) => button.setAttribute("aria-expanded", String(open));
  button.addEventListener("click", () => setOpen(!isOpen()));
  for (const target of [button, nav]) {
    target.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !isOpen() || button.offsetParent === null) return;
      setOpen(false);
      button.focus();
    });
  }
}
