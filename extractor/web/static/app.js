// Keep the timeline form's name suggestions in step with the chosen kind (works without it too).
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.getElementById("kind");
  const name = document.getElementById("name");
  if (kind && name) kind.addEventListener("change", () => name.setAttribute("list", "names-" + kind.value));
});
