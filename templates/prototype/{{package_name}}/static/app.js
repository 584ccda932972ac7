// Posts the form as JSON: the JSON endpoint is what the prototype is about, and a JSON body
// cannot be sent cross-site without CORS, so the form needs no CSRF token.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("note-form");
  const error = document.getElementById("form-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.dataset.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: form.elements.text.value }),
    });
    if (response.ok) {
      window.location.reload();
    } else {
      error.textContent = (await response.json()).error;
      error.hidden = false;
    }
  });
});
