// dockgrader pages: progressive enhancement only. Every page works without this script (forms
// post, the submission page refreshes itself); with it, drafts survive an expired session, files
// can be dropped on the form, and grading progress arrives live over the event stream.

/** Drafts: what the student types is kept in this browser until the submission is accepted. */
function drafts() {
  const clear = document.querySelector('[data-clear-draft]');
  if (clear) {
    try {
      localStorage.removeItem(clear.getAttribute('data-clear-draft'));
    } catch {
      /* storage unavailable: nothing to clear */
    }
  }
  for (const area of document.querySelectorAll('textarea[data-draft-key]')) {
    const key = area.getAttribute('data-draft-key');
    let saved;
    try {
      saved = localStorage.getItem(key);
    } catch {
      return;
    }
    // The server's copy (a refused submission sent back) wins over an older draft.
    if (saved && area.value.trim() === '') {
      area.value = saved;
      const note = document.createElement('p');
      note.className = 'small muted';
      note.setAttribute('role', 'status');
      note.textContent = 'Votre brouillon a été restauré.';
      area.insertAdjacentElement('afterend', note);
    }
    let timer;
    area.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          if (area.value.trim() === '') localStorage.removeItem(key);
          else localStorage.setItem(key, area.value);
        } catch {
          /* quota or private mode: the draft is simply not kept */
        }
      }, 300);
    });
  }
}

/** Files dropped anywhere on the zone go to its file input. */
function dropZones() {
  for (const zone of document.querySelectorAll('[data-drop-zone]')) {
    const input = zone.querySelector('input[type=file]');
    if (!input) continue;
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('is-over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('is-over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('is-over');
      if (e.dataTransfer && e.dataTransfer.files.length > 0) input.files = e.dataTransfer.files;
    });
  }
}

/** Live progress of a submission being graded, then the result page. */
function progress() {
  const panel = document.querySelector('[data-events-url]');
  if (!panel || typeof EventSource === 'undefined') return;
  const status = panel.querySelector('[data-progress-status]');
  const steps = panel.querySelector('[data-progress-steps]');
  const say = (text) => {
    status.replaceChildren();
    const spin = document.createElement('span');
    spin.className = 'spinner';
    spin.setAttribute('aria-hidden', 'true');
    status.append(spin, ` ${text}`);
  };
  const source = new EventSource(panel.getAttribute('data-events-url'));
  const seen = new Set();
  // The last event applied, for tools and the benchmark (bench/web.bench.ts).
  for (const type of ['queued', 'running', 'graded', 'error'])
    source.addEventListener(type, () => panel.setAttribute('data-last-event', type));
  source.addEventListener('queued', (e) => {
    const ev = JSON.parse(e.data);
    say(ev.position ? `En file d'attente : position ${ev.position}.` : "En file d'attente.");
  });
  source.addEventListener('running', (e) => {
    const ev = JSON.parse(e.data);
    if (!ev.total) {
      say('Préparation du bac à sable…');
      return;
    }
    say(`Commande ${ev.index} sur ${ev.total} en cours…`);
    const badge = document.querySelector('[data-status-badge] .badge');
    if (badge) {
      badge.className = 'badge badge-running';
      badge.textContent = 'En cours de correction';
    }
    if (seen.has(ev.index)) return;
    seen.add(ev.index);
    for (const li of steps.querySelectorAll('.is-current')) li.classList.remove('is-current');
    const li = document.createElement('li');
    li.className = 'is-current';
    li.value = ev.index;
    // textContent: a command is the student's text, never markup.
    li.textContent = ev.command;
    steps.append(li);
  });
  const done = (text) => {
    source.close();
    say(text);
    setTimeout(() => location.reload(), 150);
  };
  source.addEventListener('graded', () => done('Correction terminée : affichage du résultat…'));
  source.addEventListener('error', (e) => {
    // An `error` event from the server carries data; a connection error does not (the browser retries).
    if (e.data) done('La correction a échoué côté service.');
  });
  // Without the stream for long (proxy cutting it), fall back to what the no-JS page does.
  setTimeout(() => location.reload(), 120_000);
}

/** Live progress of a regrade run (done / total), then the page again with the before → after list. */
function regradeProgress() {
  const panel = document.querySelector('[data-regrade-events-url]');
  if (!panel || typeof EventSource === 'undefined') return;
  const bar = panel.querySelector('[data-regrade-bar]');
  const done = panel.querySelector('[data-testid=regrade-done]');
  const total = panel.querySelector('[data-testid=regrade-total]');
  const text = panel.querySelector('[data-regrade-text]');
  const source = new EventSource(panel.getAttribute('data-regrade-events-url'));
  const show = (ev) => {
    bar.max = Math.max(ev.total, 1);
    bar.value = ev.total === 0 ? 1 : ev.done;
    done.textContent = String(ev.done);
    total.textContent = String(ev.total);
    const changed = `${ev.changed} note${ev.changed > 1 ? 's' : ''} modifiée${ev.changed > 1 ? 's' : ''}`;
    text.textContent = `${ev.status === 'finished' ? 'Terminée' : 'En cours'} : ${ev.done} sur ${ev.total} recorrigées, ${changed}.`;
    panel.setAttribute('data-last-event', ev.status);
  };
  source.addEventListener('progress', (e) => show(JSON.parse(e.data)));
  source.addEventListener('finished', (e) => {
    source.close();
    show(JSON.parse(e.data));
    setTimeout(() => location.reload(), 300);
  });
  setTimeout(() => location.reload(), 120_000);
}

// A page restored from the back/forward cache after logout must be asked again from the server.
window.addEventListener('pageshow', (e) => {
  if (e.persisted) location.reload();
});

/** Dates written in the course's zone, shown in the reader's own zone (students may be elsewhere). */
function localTimes() {
  const format = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short' });
  for (const el of document.querySelectorAll('time[data-local]')) {
    const d = new Date(el.getAttribute('datetime'));
    if (!Number.isNaN(d.getTime())) {
      el.title = el.textContent;
      el.textContent = format.format(d);
    }
  }
}

/** A form that only carries a signed answer back to another site (LTI deep linking) goes at once. */
function autoSubmit() {
  const form = document.querySelector('form[data-autosubmit]');
  if (form) form.submit();
}

drafts();
dropZones();
progress();
regradeProgress();
localTimes();
autoSubmit();
