// The review screen: boxes over the photo follow the field in hand;
// corrections go to the API and the page comes back re-checked; ticks
// survive that reload; the whole review can be done from the keyboard.
'use strict';

(function () {
  const root = document.getElementById('review');
  if (!root) return;
  const rxId = root.dataset.rx;
  const api = window.rxflow;
  const stored = 'rxflow:confirmed:' + rxId;

  // The boxes are in the photo's own pixels.
  const photo = document.getElementById('photo');
  const boxes = document.getElementById('boxes');
  function fitBoxes() {
    if (photo.naturalWidth) boxes.setAttribute('viewBox', '0 0 ' + photo.naturalWidth + ' ' + photo.naturalHeight);
  }
  photo.addEventListener('load', fitBoxes);
  fitBoxes();

  function light(key) {
    for (const r of boxes.querySelectorAll('rect')) r.classList.toggle('lit', r.dataset.key === key);
  }
  for (const field of root.querySelectorAll('.field')) {
    field.addEventListener('mouseenter', () => light(field.dataset.key));
    field.addEventListener('focusin', () => light(field.dataset.key));
  }

  // Ticks are kept per prescription for the tab, so a correction's reload
  // does not undo them.
  const confirmed = new Set(JSON.parse(sessionStorage.getItem(stored) || '[]'));
  function paint(box) {
    box.closest('.field').classList.toggle('confirmed', box.checked);
  }
  for (const box of root.querySelectorAll('.confirm-box')) {
    box.checked = confirmed.has(box.value);
    paint(box);
    box.addEventListener('change', () => {
      if (box.checked) confirmed.add(box.value); else confirmed.delete(box.value);
      sessionStorage.setItem(stored, JSON.stringify([...confirmed]));
      paint(box);
    });
  }

  async function correct(key, text, near) {
    const result = await api.call('PATCH', '/api/v1/review/' + rxId, { corrections: [{ key, text }] });
    if (!result.ok) { api.say(near, api.problemText(result)); return; }
    sessionStorage.setItem('rxflow:focus:' + rxId, key);
    window.location.reload();
  }
  for (const form of root.querySelectorAll('form.correct')) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      correct(form.dataset.key, form.elements.text.value, form.closest('.field'));
    });
  }
  for (const alt of root.querySelectorAll('button.alt')) {
    alt.addEventListener('click', () => correct(alt.dataset.key, alt.dataset.text, alt.closest('.field')));
  }

  // Keyboard: fields still to check, in page order.
  const pending = () => [...root.querySelectorAll('.confirm-box')].filter((b) => !b.checked);
  const allBoxes = () => [...root.querySelectorAll('.confirm-box')];
  function step(list, forward) {
    if (!list.length) return;
    const here = list.indexOf(document.activeElement);
    const next = here < 0 ? (forward ? 0 : list.length - 1) : (here + (forward ? 1 : list.length - 1)) % list.length;
    list[next].focus();
    list[next].closest('.field').scrollIntoView({ block: 'nearest' });
  }
  function nextFinding() {
    const cards = [...root.querySelectorAll('.finding')];
    if (!cards.length) return;
    const here = cards.findIndex((c) => c.contains(document.activeElement));
    const card = cards[(here + 1) % cards.length];
    (card.querySelector('select.override') || card).focus();
    card.scrollIntoView({ block: 'nearest' });
  }
  const typing = (el) => el && (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' ||
    (el.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'submit'].includes(el.type)));
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape' && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(document.activeElement)) return;
    const acts = {
      n: () => step(pending().length ? pending() : allBoxes(), true),
      p: () => step(pending().length ? pending() : allBoxes(), false),
      c: () => {
        const box = document.activeElement && document.activeElement.classList.contains('confirm-box')
          ? document.activeElement : pending()[0];
        if (box && !box.checked) { box.click(); }
        const rest = pending();
        if (rest.length) rest[0].focus();
      },
      f: nextFinding,
      a: () => document.getElementById('signature') && document.getElementById('signature').focus(),
      r: () => document.getElementById('reject-reason') && document.getElementById('reject-reason').focus(),
    };
    const act = acts[e.key];
    if (act) { e.preventDefault(); act(); }
  });

  const focusKey = sessionStorage.getItem('rxflow:focus:' + rxId);
  if (focusKey) {
    sessionStorage.removeItem('rxflow:focus:' + rxId);
    const field = [...root.querySelectorAll('.field')].find((f) => f.dataset.key === focusKey);
    if (field) (field.querySelector('.confirm-box') || field.querySelector('input')).focus();
  }

  // The decision: what was ticked and each override go with the signature.
  const approveForm = document.getElementById('approve-form');
  const rejectForm = document.getElementById('reject-form');
  if (!approveForm || !rejectForm) return;
  function overrides() {
    return [...root.querySelectorAll('select.override')].filter((s) => s.value).map((s) => {
      const comment = [...root.querySelectorAll('.override-comment')].find((c) => c.dataset.finding === s.dataset.finding);
      return { finding: s.dataset.finding, reason: s.value, comment: comment && comment.value ? comment.value : undefined };
    });
  }
  async function decide(form, body) {
    body.confirmations = [...confirmed];
    body.overrides = overrides();
    const result = await api.call('POST', '/api/v1/prescriptions/' + rxId + '/decision', body);
    if (!result.ok) { api.say(form, api.problemText(result)); return; }
    sessionStorage.removeItem(stored);
    const s = result.data.signature;
    const section = document.getElementById('decision');
    section.replaceChildren();
    const done = document.createElement('p');
    done.id = 'signed';
    done.setAttribute('role', 'status');
    const verb = body.decision === 'approve' ? 'Approved' : 'Rejected';
    done.textContent = verb + ' and signed by ' + s.name + ': “' + s.meaning + '”.';
    const next = document.createElement('a');
    next.href = '/review';
    next.textContent = 'Back to the queue';
    section.append(done, next);
    document.getElementById('rx-status').textContent = result.data.prescription.status.replace('_', ' ');
    next.focus();
  }
  approveForm.addEventListener('submit', (e) => {
    e.preventDefault();
    decide(approveForm, { decision: 'approve', password: document.getElementById('signature').value });
  });
  rejectForm.addEventListener('submit', (e) => {
    e.preventDefault();
    decide(rejectForm, {
      decision: 'reject',
      password: document.getElementById('reject-signature').value,
      reason: document.getElementById('reject-reason').value.trim(),
    });
  });
})();
