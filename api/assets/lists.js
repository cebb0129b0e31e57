// Forms whose JSON body is a list, which app.js's flat forms cannot send: a
// purchase order of several suggestions, a delivery of several lots.
//
// <form data-list-api="/api/..." data-list="lines" data-next="reload">
// Each element marked data-item (a table row, a fieldset) is one entry: the
// fixed part comes from its data-item JSON, the rest from its named fields,
// converted as app.js converts them. An entry with a data-include checkbox
// goes only when it is ticked; one without goes when any field is filled.
// A field marked data-required must be filled in an entry that goes. The
// body is { [data-list]: [entries] }; a refusal shows beside the form.
'use strict';

(function () {
  const rx = window.rxflow;

  function chosen(form) {
    return [...form.querySelectorAll('[data-item]')].filter((item) => {
      const include = item.querySelector('input[data-include]');
      if (include) return include.checked;
      return [...item.querySelectorAll('input, select, textarea')].some((f) => f.name && f.value !== '');
    });
  }

  function entryOf(item) {
    const fields = rx.fieldsOf({ elements: item.querySelectorAll('input, select, textarea') });
    return Object.assign(JSON.parse(item.dataset.item || '{}'), fields);
  }

  // The first empty required field of the chosen entries, said in its label's words.
  function missing(items) {
    for (const item of items) {
      const field = [...item.querySelectorAll('[data-required]')].find((f) => f.value === '');
      if (field) return field;
    }
    return null;
  }

  function submit(form) {
    rx.say(form, '');
    const items = chosen(form);
    if (items.length === 0) {
      rx.say(form, form.dataset.empty || 'Choose at least one line first.');
      return;
    }
    const empty = missing(items);
    if (empty) {
      const name = empty.labels.length ? empty.labels[0].textContent.trim() : empty.name;
      rx.say(form, 'Please fill in: ' + name + '.');
      empty.focus();
      return;
    }
    const list = items.map(entryOf);
    return rx.submit(form, 'POST', form.dataset.listApi, { [form.dataset.list]: list });
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.listApi) return;
    event.preventDefault();
    submit(form);
  });
})();
