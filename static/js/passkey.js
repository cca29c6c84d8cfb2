// Passkeys (WebAuthn) for the second step of sign-in: create one, or sign in with one.
// The buttons carry their URLs and messages (translated by the server) in data- attributes;
// the JSON endpoints are django-otp-webauthn's. Without WebAuthn's JSON helpers the button
// stays hidden and the page says to use a code instead.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function post(url, body) {
    var response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    });
    var data = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      throw new Error(data.detail || response.statusText);
    }
    return data;
  }

  function supported() {
    return Boolean(
      window.PublicKeyCredential &&
        PublicKeyCredential.parseCreationOptionsFromJSON &&
        PublicKeyCredential.parseRequestOptionsFromJSON
    );
  }

  async function register(button) {
    var options = await post(button.dataset.begin);
    var credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
    });
    await post(button.dataset.complete, credential.toJSON());
    return function () { document.getElementById(button.dataset.form).submit(); };
  }

  async function verify(button) {
    var options = await post(button.dataset.begin);
    var credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    var result = await post(button.dataset.complete, credential.toJSON());
    return function () { window.location.assign(result.redirect_url); };
  }

  function setUp(button) {
    var status = document.getElementById(button.dataset.status);
    if (!supported()) {
      status.textContent = button.dataset.unsupported;
      return;
    }
    status.textContent = "";
    button.hidden = false;
    button.addEventListener("click", async function () {
      button.disabled = true;
      status.textContent = button.dataset.working;
      try {
        var next = await (button.dataset.passkey === "register" ? register(button) : verify(button));
        if (button.dataset.done) {
          status.textContent = button.dataset.done;
        }
        next();
      } catch (error) {
        status.textContent = button.dataset.failed + " " + (error && error.message ? error.message : "");
        button.disabled = false;
      }
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(setUp);
})();
