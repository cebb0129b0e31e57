// The customer's upload: the bar follows the bytes going up, then the job
// reading the photo, in the words the customer sees in their list.
'use strict';

(function () {
  const form = document.getElementById('upload');
  if (!form) return;
  const bar = document.getElementById('progress');
  const text = document.getElementById('progress-text');
  const tracking = document.getElementById('tracking');
  // Sending the photo fills the first fifth of the bar; reading it the rest.
  const SENDING = 20;

  function show(percent, words) {
    bar.value = percent;
    bar.textContent = Math.round(percent) + '%';
    if (words) text.textContent = words;
  }

  function send(file) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      data.append('image', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.getAttribute('action'));
      xhr.setRequestHeader('accept', 'application/json');
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) show((e.loaded / e.total) * SENDING, 'Sending the photo…');
      };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText || '{}'); } catch (_) { body = {}; }
        if (xhr.status === 202) resolve(body);
        else reject(new Error(body.detail || 'The upload failed (' + xhr.status + ').'));
      };
      xhr.onerror = () => reject(new Error('Could not reach rxflow.'));
      xhr.send(data);
    });
  }

  async function follow(statusUrl) {
    for (;;) {
      const result = await window.rxflow.call('GET', statusUrl);
      if (!result.ok) throw new Error(window.rxflow.problemText(result));
      const s = result.data;
      show(SENDING + (s.progress * (100 - SENDING)) / 100, 'Status: ' + s.status_text);
      if (s.done) return s;
      await new Promise((r) => setTimeout(r, 600));
    }
  }

  // The list below is the server's own rendering, fetched again.
  async function refreshList() {
    const response = await fetch(window.location.pathname, { credentials: 'same-origin' });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.getElementById('prescriptions');
    const list = document.getElementById('prescriptions');
    if (fresh && list) list.replaceWith(document.adoptNode(fresh));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = form.elements.image.files[0];
    if (!file) return;
    const button = form.querySelector('[type="submit"]');
    button.disabled = true;
    window.rxflow.say(form, '');
    tracking.hidden = false;
    show(0, 'Sending the photo…');
    try {
      const accepted = await send(file);
      const done = await follow(accepted.status_url);
      const link = document.createElement('a');
      link.href = '/my#rx-' + accepted.prescription_id;
      link.textContent = 'See prescription ' + accepted.prescription_id + ' in your list';
      text.append(' ', link);
      if (!done.read) text.append(' (the pharmacist will read it from the photo)');
      await refreshList();
    } catch (e) {
      window.rxflow.say(form, e.message);
      tracking.hidden = true;
    } finally {
      button.disabled = false;
      form.reset();
    }
  });
})();
