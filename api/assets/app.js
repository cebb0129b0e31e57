// Forms and buttons marked data-api act through the JSON API: the fields go
// as JSON, a refusal is shown in words beside the form, and success goes
// where data-next says ("reload" stays; "{id}" is filled from the answer).
'use strict';

const rx = (window.rxflow = window.rxflow || {});

rx.call = async function call(method, url, body) {
  const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = { detail: text }; }
  return { ok: response.ok, status: response.status, data };
};

rx.say = function say(near, message) {
  const out = (near && near.querySelector('.problem[role="alert"]')) || document.getElementById('problem');
  if (!out) return;
  out.textContent = message || '';
  out.hidden = !message;
};

rx.problemText = function problemText(result) {
  const d = result.data || {};
  return d.detail || d.title || 'The request failed (' + result.status + ').';
};

rx.go = function go(next, data) {
  if (!next) return;
  if (next === 'reload') { window.location.reload(); return; }
  // "{a.b}" in data-next is filled from the answer's fields.
  const filled = next.replace(/\{([\w.]+)\}/g, (_, path) => {
    const v = path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), data);
    return v === undefined ? '' : encodeURIComponent(String(v));
  });
  window.location.assign(filled);
};

function valueOf(input) {
  if (input.type === 'checkbox') return input.checked;
  if (input.value === '') return undefined;
  if (input.type === 'number' || input.dataset.type === 'number') return Number(input.value);
  if (input.hasAttribute('data-list')) {
    return input.value.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return input.value;
}

rx.fieldsOf = function fieldsOf(form) {
  const body = {};
  for (const input of form.elements) {
    if (!input.name || input.disabled || input.type === 'submit' || input.type === 'button') continue;
    if (input.type === 'radio' && !input.checked) continue;
    const v = valueOf(input);
    if (v !== undefined) body[input.name] = v;
  }
  return body;
};

// Sends `body` for `form` with its submit button held down; a refusal is
// said beside the form, success goes where the form's data-next says.
// `then` may make a follow-up call from the first answer.
rx.submit = async function submit(form, method, url, body, then) {
  const button = form.querySelector('[type="submit"]');
  if (button) button.disabled = true;
  rx.say(form, '');
  try {
    let result = await rx.call(method, url, body);
    if (result.ok && then) result = await then(result);
    if (!result.ok) { rx.say(form, rx.problemText(result)); return; }
    rx.go(form.dataset.next, result.data);
  } catch (e) {
    rx.say(form, 'Could not reach rxflow: ' + e.message);
  } finally {
    if (button) button.disabled = false;
  }
};

function submitForm(form) {
  const body = rx.fieldsOf(form);
  const signIn = () => rx.call('POST', '/api/v1/auth/login', { username: body.username, password: body.password });
  return rx.submit(form, form.dataset.method || 'POST', form.dataset.api, body,
    form.hasAttribute('data-then-login') ? signIn : undefined);
}

async function clickButton(button) {
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  button.disabled = true;
  try {
    const body = button.dataset.body ? JSON.parse(button.dataset.body) : {};
    const result = await rx.call(button.dataset.method || 'POST', button.dataset.api, body);
    if (!result.ok) { rx.say(button.closest('section, form, .card'), rx.problemText(result)); return; }
    rx.go(button.dataset.next || 'reload', result.data);
  } catch (e) {
    rx.say(null, 'Could not reach rxflow: ' + e.message);
  } finally {
    button.disabled = false;
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
  event.preventDefault();
  submitForm(form);
});

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-api]');
  if (!button) return;
  event.preventDefault();
  clickButton(button);
});

// Print buttons print the page; the print stylesheet keeps only the label.
document.addEventListener('click', (event) => {
  if (event.target.closest('button[data-print]')) window.print();
});
