// The teller page: runs this seat's part of the key ceremony (ballot/ceremony) against the
// server, round by round as the other tellers join. Secrets (the communication key, this
// seat's own share of its polynomial, s_j) stay on the device: in memory, and in
// sessionStorage so a reload of the tab does not lose them mid-ceremony. Once the poll is
// closed, the same page counts: the share typed or loaded here decrypts the box's sums on
// this device, and only the partial decryption and its proof go to the server.
import * as tc from 'teller-crypto';
import encodeQR from '@paulmillr/qr';

const root = document.getElementById('teller');
const base = root.dataset.base;
const pollID = root.dataset.poll;
const seat = Number(root.dataset.seat);
// solo: the organizer's own device is the one seat; there is nobody to wait for or to
// compare a check code with.
const solo = root.dataset.solo === '1';
const $ = (id) => document.getElementById(id);
// The page's words, in its language (the page's teller-texts block); T fills a message's
// %d and %s with its arguments in turn.
const texts = JSON.parse($('teller-texts').textContent);
const T = (key, ...args) => (texts[key] || '').replace(/%[sd]/g, () => (args.length ? String(args.shift()) : ''));

let rec = null; // the public record, as last read
let mine = null; // {x, X, own, sj}
let timer = null;
let busy = false;
let begun = false; // this page has asked for the seat's key once
let verifying = false;

function say(text) {
  $('status').textContent = text;
}

function fail(text) {
  $('error').textContent = text;
  $('error').hidden = false;
}

function show(id, on = true) {
  $(id).hidden = !on;
}

function storeKey() {
  return 'minyi-teller:' + rec.ceremony + ':' + seat;
}

function save() {
  const m = { x: mine.x.toString(16), own: mine.own === undefined ? '' : mine.own.toString(16) };
  sessionStorage.setItem(storeKey(), JSON.stringify(m));
}

function load() {
  const raw = sessionStorage.getItem(storeKey());
  if (!raw) return null;
  const m = JSON.parse(raw);
  const x = BigInt('0x' + m.x);
  return { x, X: tc.commKeyOf(x), own: m.own ? BigInt('0x' + m.own) : undefined };
}

// A read that has had no answer for 20 s is given up, and the next tick reads again: on a
// phone whose network dropped the request, the page would otherwise wait for it forever.
// A send is never given up: the server may have done it, and the page reads what it did.
async function api(path, body) {
  let res;
  try {
    res = await fetch(base + path, {
      method: body ? 'POST' : 'GET',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
      signal: body ? undefined : AbortSignal.timeout(20000),
    });
  } catch {
    throw new Error(T('unreachable'));
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = new Error((data.error && data.error.message) || T('unreachable'));
    e.code = data.error && data.error.code;
    throw e;
  }
  return data;
}

const stageText = (i) => {
  if (rec.ready[i]) return [T('ready'), 'ready'];
  if (rec.commitments[i]) return [T('dealt'), ''];
  if (rec.comm_keys[i]) return [T('joined'), ''];
  return [T('notJoined'), ''];
};

// seatName is how the page names seat i: the organizer's own seat in the page's language
// (the record names it by the rules' Chinese word, as every device reads it), a teller's
// as the organizer typed it.
const seatName = (i) => (solo ? T('organizerSeat') : rec.tellers[i]);

function roster() {
  const ol = $('roster');
  ol.textContent = '';
  rec.tellers.forEach((_, i) => {
    const li = document.createElement('li');
    const [text, cls] = stageText(i);
    li.textContent = seatName(i) + (i + 1 === seat ? T('self') : '') + T('sep');
    const b = document.createElement('span');
    b.textContent = text;
    if (cls) b.className = cls;
    if (rec.blocked_dealer === i + 1) {
      b.textContent = T('badShare');
      b.className = 'bad';
    }
    li.appendChild(b);
    ol.appendChild(li);
  });
}

const full = (list) => list.every((v) => v !== '');

// step moves this seat on as far as the record allows; it is called on every read.
async function step() {
  rec = await api('/state');
  roster();
  if (rec.blocked) {
    fail(rec.blocked);
    say(T('aborted'));
    stop();
    return;
  }
  if (rec.poll_state === 'closed' || rec.poll_state === 'counted') {
    await countStep();
    return;
  }
  if (rec.poll_state === 'open' && rec.ready[seat - 1]) {
    say(T('voting'));
    return;
  }
  if (rec.poll_state !== 'draft' && !rec.ready[seat - 1]) {
    say(T('started'));
    stop();
    return;
  }
  const me = seat - 1;
  if (!mine) mine = load();
  if (rec.ready[me]) {
    show('step-start', false);
    show('step-done');
    say(T(solo ? 'mineSolo' : rec.ready.every(Boolean) ? 'mineAll' : 'mineWait'));
    if (rec.ready.every(Boolean)) stop();
    return;
  }
  if (!rec.comm_keys[me]) {
    // The organizer's seat is reached only by the poll page's "在本设备上生成密钥": that
    // click was the choice, so the key is made at once. The button stays for a retry.
    if (solo && !begun) {
      await begin(false);
      return step();
    }
    show('step-start');
    say(T('clickStart'));
    return;
  }
  if (!mine) {
    fail(T(solo ? 'noMaterialSolo' : 'noMaterial'));
    stop();
    return;
  }
  show('step-start', false);
  if (!full(rec.comm_keys)) {
    say(T('waitJoin', rec.comm_keys.filter((v) => v).length, rec.n));
    return;
  }
  if (!rec.commitments[me]) {
    say(T('dealing'));
    await dealNow();
    return;
  }
  if (!full(rec.commitments)) {
    say(T('waitDeal', rec.commitments.filter((v) => v).length, rec.n));
    return;
  }
  if (mine.sj === undefined) checkDealt();
}

async function dealNow() {
  const d = tc.deal(rec.k, rec.n);
  const sealed = [];
  for (let j = 1; j <= rec.n; j++) {
    if (j === seat) continue;
    sealed.push(tc.seal(rec.poll, seat, j, tc.unhex(rec.comm_keys[j - 1]), d.shares[j - 1]));
  }
  mine.own = d.shares[seat - 1];
  save();
  await api('/deal', { commitments: tc.hex(tc.concat(...d.commitments)), sealed: tc.hex(tc.concat(...sealed)) });
}

// checkDealt opens every share dealt to this seat, checks each against its dealer's
// commitments, and computes s_j; a share that fails is reported by its dealer.
function checkDealt() {
  const all = rec.commitments.map((c) => tc.commitPoints(tc.unhex(c)));
  let sj = 0n;
  for (let i = 1; i <= rec.n; i++) {
    let share;
    if (i === seat) {
      share = mine.own;
    } else {
      try {
        share = tc.open(rec.poll, i, seat, mine.x, tc.sealedFor(tc.unhex(rec.sealed[i - 1]), i, seat));
      } catch {
        share = undefined;
      }
    }
    if (share === undefined || all[i - 1].length !== rec.k || !tc.verifyDealt(seat, share, all[i - 1])) {
      complain(i);
      return;
    }
    sj = tc.addScalars(sj, share);
  }
  if (!tc.mulBase(sj).equals(tc.publicShare(seat, all))) {
    fail(T(solo ? 'mismatchSolo' : 'mismatch'));
    stop();
    return;
  }
  mine.sj = sj;
  const t = tc.transcript(rec);
  mine.transcript = t;
  $('check-code').textContent = tc.code(t);
  show('step-check', !solo);
  const code = tc.encodeShare(pollID, seat, sj);
  $('share-code').textContent = code;
  $('share-qr').src = 'data:image/svg+xml,' + encodeURIComponent(encodeQR(code, 'svg'));
  const who = solo ? seatName(0) : T('whoSeat', seat, rec.tellers[seat - 1]);
  const file = new Blob([T(solo ? 'fileSolo' : 'fileSeat') + '\n' + document.title + '\n' + who + '\n' + T('filePoll', pollID) + '\n\n' + code + '\n'], { type: 'text/plain' });
  const a = $('download');
  a.href = URL.createObjectURL(file);
  a.download = solo ? T('fileNameSolo') : T('fileNameSeat', seat);
  show('step-backup');
  show('step-verify');
  say(T(solo ? 'saveSolo' : 'save'));
}

async function complain(dealer) {
  const name = rec.tellers[dealer - 1];
  fail(T('dealerBad', dealer, name));
  stop();
  try {
    await api('/complain', { dealer });
  } catch (e) {
    fail(e.message);
  }
}

// readShare reads the share code typed in codeID, or the backup file chosen in fileID, and
// checks it is this seat's; it reports what is wrong and gives null.
async function readShare(codeID, fileID) {
  let text = $(codeID).value;
  const f = $(fileID).files[0];
  if (!text.trim() && f) text = await f.text();
  // A saved file holds the code on its own line: take the line that reads as a share code.
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  let got = null;
  for (const l of lines.length ? lines : [text]) {
    got = tc.decodeShare(pollID, l);
    if (got) break;
  }
  if (!got) got = tc.decodeShare(pollID, text);
  if (!got) {
    fail(T('badCode'));
    return null;
  }
  if (got.j !== seat) {
    fail(T('otherSeat', got.j));
    return null;
  }
  $('error').hidden = true;
  return got;
}

async function verifyBackup() {
  if (verifying) return;
  verifying = true;
  try {
    await checkBackup();
  } finally {
    verifying = false;
  }
}

async function checkBackup() {
  const got = await readShare('verify-code', 'verify-file');
  if (!got) return;
  const proof = tc.proveShare(got.s, tc.unhex(rec.challenge));
  try {
    await api('/ready', { transcript: tc.hex(mine.transcript), proof: tc.hex(proof) });
  } catch (e) {
    fail(e.message);
    return;
  }
  // The backup is now the share's only home: the device forgets what it kept.
  sessionStorage.removeItem(storeKey());
  mine = { x: 0n, X: null };
  show('step-verify', false);
  show('step-backup', false);
  $('share-code').textContent = '';
  $('share-qr').removeAttribute('src');
  if (solo && root.dataset.back) {
    // Nothing is left to do here: voting is opened on the poll page.
    stop();
    show('step-done');
    say(T('verified'));
    setTimeout(() => location.assign(root.dataset.back), 1200);
    return;
  }
  poll();
}

// ---- the count

let counting = false; // this device is decrypting or posting

// countStep shows the count as it stands: waiting for the organizer, the form while this
// seat has not decrypted, then the progress until the tally is there.
async function countStep() {
  const cs = await api('/count');
  $('heading').textContent = T('countHeading');
  $('intro').textContent = T('countIntro');
  for (const id of ['step-start', 'roster-card', 'step-check', 'step-backup', 'step-verify', 'step-done']) show(id, false);
  show('step-count');
  const progress = T('progress', cs.decrypted, cs.quorum);
  if (cs.state === 'done') {
    show('count-form', false);
    say(T('counted'));
    $('count-note').textContent = T(cs.posted ? 'countedPosted' : 'countedBy', cs.decrypted);
    stop();
    return;
  }
  if (cs.state === 'broken') {
    show('count-form', false);
    say(T('broken'));
    $('count-note').textContent = T('brokenNote');
    return;
  }
  if (cs.state === 'waiting') {
    show('count-form', false);
    say(T('waitCount'));
    $('count-note').textContent = T('waitCountNote');
    return;
  }
  if (cs.posted) {
    show('count-form', false);
    say(T('postedWait', progress));
    $('count-note').textContent = T('postedNote', cs.quorum);
    return;
  }
  $('count-note').textContent = solo ? T('needSolo') : T('needEach', cs.quorum, progress);
  show('count-form', !counting);
  if (!counting) say(T('enterCode'));
}

// countNow decrypts the round's points with the share typed or loaded, checked first
// against this seat's public share, and posts the partial decryption with its proof.
async function countNow() {
  if (counting) return;
  const got = await readShare('count-code', 'count-file');
  if (!got) return;
  counting = true;
  $('count-go').disabled = true;
  try {
    const cs = await api('/count');
    if (cs.state !== 'open') {
      await countStep();
      return;
    }
    if (!tc.mulBase(got.s).equals(tc.point(tc.unhex(cs.public_share)))) {
      fail(T('codeMismatch'));
      return;
    }
    show('count-form', false);
    say(T('decrypting', cs.points.length));
    // Let the status paint before the long computation.
    await new Promise((r) => setTimeout(r, 20));
    const part = tc.partialDecrypt(seat, got.s, cs.points, tc.unhex(cs.context));
    await api('/partial', { d: part.d, proof: part.proof });
    $('count-code').value = '';
    $('count-file').value = '';
  } catch (e) {
    fail(e.message);
  } finally {
    counting = false;
    $('count-go').disabled = false;
  }
  await countStep().catch((e) => say(e.message));
}

async function tick() {
  if (busy) return;
  busy = true;
  try {
    await step();
  } catch (e) {
    say(e.message);
  } finally {
    busy = false;
  }
}

function poll() {
  stop();
  tick();
  timer = setInterval(tick, 1500);
}

function stop() {
  if (timer) clearInterval(timer);
  timer = null;
}

// begin makes this seat's communication key and sends its public half; again reads the
// record anew when it is done (a press of the button, not a step already reading it).
async function begin(again) {
  begun = true;
  $('start').disabled = true;
  show('step-start', false);
  say(T('generating'));
  try {
    const k = tc.commKey();
    mine = { x: k.x, X: k.X };
    save();
    await api('/key', { comm_key: tc.hex(k.X) });
  } catch (e) {
    fail(e.message);
  }
  $('start').disabled = false;
  if (again) poll();
}

$('start').addEventListener('click', () => begin(true));
$('verify').addEventListener('click', verifyBackup);
// Choosing the saved file is the check itself: it needs no second press.
$('verify-file').addEventListener('change', () => {
  if ($('verify-file').files.length) verifyBackup();
});
$('count-go').addEventListener('click', countNow);
$('print').addEventListener('click', () => window.print());
// For boot.js, which runs next: the page's code has started.
document.documentElement.dataset.tellerStarted = '1';
poll();
