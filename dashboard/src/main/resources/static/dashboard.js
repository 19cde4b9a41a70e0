'use strict';
/*
 * The dashboard's script. It polls GET /api/dashboard once a second while the page is visible (and not at all while it
 * is hidden), draws what it answers, and drives the controls through the services' public and admin APIs. Admin
 * requests carry the credentials typed into the page, kept in this script's memory only, and say X-Requested-With, so
 * that a refusal comes without the basic challenge and the browser never asks for, nor remembers, credentials itself.
 */

const REFRESH_MILLIS = 1000;
/** Samples the queue chart keeps: two minutes at one a second. */
const HISTORY = 120;
/** Checkouts a flash sale keeps in flight: Chrome opens 6 connections per host, and the refresh needs one of them. */
const SALE_CONCURRENCY = 4;
const SALE_MAX = 1000;
const PRICES = { 'SKU-1': 9.99, 'FLASH-1': 149.0 };
const QUEUE_COLORS = ['#2f6fdf', '#1f8a4c', '#c77800'];

const numbers = new Intl.NumberFormat('en-US');
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** An element with attributes and children; text is always set as text, never parsed as HTML. */
function el(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
        if (name === 'class') {
            element.className = value;
        } else if (name.startsWith('on')) {
            element.addEventListener(name.substring(2), value);
        } else if (value !== undefined && value !== null && value !== false) {
            element.setAttribute(name, value === true ? '' : value);
        }
    }
    for (const child of children) {
        element.append(child instanceof Node ? child : document.createTextNode(child ?? ''));
    }
    return element;
}

function millis(value) {
    if (value === null || value === undefined) {
        return '–';
    }
    return value < 10 ? `${value.toFixed(1)} ms` : `${numbers.format(Math.round(value))} ms`;
}

function count(value) {
    return value === null || value === undefined ? '–' : numbers.format(value);
}

function rate(value) {
    return value < 10 ? value.toFixed(1) : numbers.format(Math.round(value));
}

function shortId(id) {
    return id ? `${id.substring(0, 8)}…${id.substring(id.length - 4)}` : '–';
}

function time(instant) {
    return instant ? new Date(instant).toLocaleTimeString('en-GB') : '–';
}

// ---------------------------------------------------------------------------------------------------------------------
// HTTP

let admin = null;

/** A request to the order-service; the answer's status and its JSON body (null when there is none). */
async function call(method, url, body) {
    const headers = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };
    if (admin && url.startsWith('/api/admin/')) {
        headers.Authorization = admin.authorization;
    }
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(url, {
        method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    } catch (ignored) {
        json = null;
    }
    return { status: response.status, ok: response.ok, json };
}

/** What went wrong, in the words of the problem the service answered. */
function describe(answer) {
    return (answer.json && (answer.json.detail || answer.json.title)) || `HTTP ${answer.status}`;
}

function basic(user, password) {
    const bytes = new TextEncoder().encode(`${user}:${password}`);
    return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

function order(customer, sku) {
    return {
        customer: { id: customer, email: `${customer}@example.com` },
        lines: [{ sku, quantity: 1, unitPrice: PRICES[sku] }],
        currency: 'EUR',
    };
}

// ---------------------------------------------------------------------------------------------------------------------
// Refresh

let timer = null;
let rendered = null;

async function refresh() {
    clearTimeout(timer);
    try {
        const answer = await call('GET', '/api/dashboard');
        if (!answer.ok) {
            throw new Error(describe(answer));
        }
        render(answer.json);
        $('#updated').textContent = `live, updated ${time(answer.json.takenAt)}`;
        $('#updated').classList.remove('stale');
    } catch (error) {
        $('#updated').textContent = `not updated: ${error.message}`;
        $('#updated').classList.add('stale');
    } finally {
        if (!document.hidden) {
            timer = setTimeout(refresh, REFRESH_MILLIS);
        }
    }
}

document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
        clearTimeout(timer);
    } else {
        refresh();
    }
});

function render(snapshot) {
    renderLatency(snapshot.latency);
    renderQueues(snapshot.broker);
    renderHistory(snapshot.broker.history, snapshot.rebuild);
    renderWorkers(snapshot.workers);
    renderOrders(snapshot.latestOrders, snapshot.workers);
    rendered = snapshot;
    refreshDeadLettersIfChanged();
}

// ---------------------------------------------------------------------------------------------------------------------
// Checkout latencies

function renderLatency(latency) {
    const rows = ['async', 'sync'].map((checkout) => {
        const measured = latency[checkout];
        const none = measured.count === 0 || measured.p99 === 0;
        return el('tr', { 'data-checkout': checkout },
            el('td', {}, checkout === 'async' ? 'asynchronous' : 'synchronous'),
            el('td', { 'data-field': 'p50' }, none ? '–' : millis(measured.p50)),
            el('td', { 'data-field': 'p90' }, none ? '–' : millis(measured.p90)),
            el('td', { 'data-field': 'p99' }, none ? '–' : millis(measured.p99)),
            el('td', { 'data-field': 'count' }, count(measured.count)));
    });
    $('#percentiles tbody').replaceChildren(...rows);
}

function showCheckout(checkout, took, detail, failed) {
    const card = $(`.latency-card[data-checkout=${checkout}]`);
    $('[data-field=last]', card).textContent = took === null ? '–' : millis(took);
    $('[data-field=detail]', card).textContent = detail;
    $('[data-field=detail]', card).classList.toggle('problem', Boolean(failed));
    card.dataset.took = took === null ? '' : String(took);
    const both = $$('.latency-card').map((each) => Number(each.dataset.took || 0));
    const longest = Math.max(...both, 1);
    for (const each of $$('.latency-card')) {
        $('.bar span', each).style.width = `${Math.max(1, (100 * Number(each.dataset.took || 0)) / longest)}%`;
    }
}

async function timed(url, body) {
    const start = performance.now();
    const answer = await call('POST', url, body);
    return { answer, took: performance.now() - start };
}

async function placeBoth() {
    const button = $('#place-both');
    button.disabled = true;
    try {
        showCheckout('async', null, 'placing…');
        showCheckout('sync', null, 'waiting for the asynchronous one…');
        const asynchronous = await timed('/api/orders', order('dashboard', 'SKU-1'));
        showCheckout('async', asynchronous.took, asynchronous.answer.ok
            ? `${asynchronous.answer.status} Accepted: order ${shortId(asynchronous.answer.json.orderId)} committed; the workers apply it later`
            : describe(asynchronous.answer), !asynchronous.answer.ok);
        showCheckout('sync', null, 'placing…');
        const synchronous = await timed('/api/orders/sync', order('dashboard', 'SKU-1'));
        const steps = synchronous.answer.ok
            ? synchronous.answer.json.steps.map((step) => `${step.worker} ${millis(step.millis)}`).join(' → ') : '';
        showCheckout('sync', synchronous.took, synchronous.answer.ok
            ? `${synchronous.answer.status} Created after ${steps}`
            : `${synchronous.answer.status}: ${describe(synchronous.answer)}`, !synchronous.answer.ok);
    } catch (error) {
        showCheckout('sync', null, error.message, true);
    } finally {
        button.disabled = false;
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Flash sale

async function flashSale(total, sku) {
    const progress = $('#sale-progress');
    const field = (name) => $(`[data-field=${name}]`, progress);
    const tally = { sent: 0, accepted: 0, refused: 0 };
    const start = performance.now();
    const show = () => {
        field('sent').textContent = count(tally.sent);
        field('total').textContent = count(total);
        field('accepted').textContent = count(tally.accepted);
        field('refused').textContent = count(tally.refused);
        field('rate').textContent = `${rate((1000 * tally.accepted) / Math.max(1, performance.now() - start))} orders/s`;
        $('.bar span', progress).style.width = `${(100 * (tally.accepted + tally.refused)) / total}%`;
    };
    progress.hidden = false;
    progress.dataset.state = 'running';
    show();
    let next = 0;
    const seller = async () => {
        while (next < total) {
            const index = next++;
            tally.sent++;
            try {
                const answer = await call('POST', '/api/orders', order(`flash-${Date.now()}-${index}`, sku));
                tally[answer.status === 202 ? 'accepted' : 'refused']++;
            } catch (error) {
                tally.refused++;
            }
            show();
        }
    };
    await Promise.all(Array.from({ length: Math.min(SALE_CONCURRENCY, total) }, seller));
    progress.dataset.state = 'done';
    show();
}

// ---------------------------------------------------------------------------------------------------------------------
// Queues

const history = [];

function renderQueues(broker) {
    const problem = $('#broker-problem');
    problem.hidden = broker.reachable;
    problem.textContent = broker.problem || '';
    $('#publish-rate').textContent = broker.reachable ? `exchange orders: ${rate(broker.publishRate)} messages/s in` : '';
    $('#queues tbody').replaceChildren(...broker.queues.map((queue) => el('tr', { 'data-queue': queue.name },
        el('td', {}, queue.name),
        el('td', { 'data-field': 'ready' }, count(queue.ready)),
        el('td', { 'data-field': 'unacknowledged' }, count(queue.unacknowledged)),
        el('td', { 'data-field': 'consumers' }, count(queue.consumers)),
        el('td', {}, rate(queue.publishRate)),
        el('td', {}, rate(queue.deliverRate)),
        el('td', { 'data-field': 'dead-letter-queue', title: queue.deadLetterQueue }, count(queue.deadLetterQueueDepth)))));
    if (broker.reachable) {
        history.push(Object.fromEntries(broker.queues.map((queue) => [queue.name, queue.ready + queue.unacknowledged])));
        if (history.length > HISTORY) {
            history.shift();
        }
        drawDepths(broker.queues.map((queue) => queue.name));
    }
}

function drawDepths(names) {
    const svg = $('#depth-chart');
    const width = 600;
    const height = 120;
    const highest = Math.max(5, ...history.flatMap((sample) => names.map((name) => sample[name] || 0)));
    const svgElement = (tag, attributes) => {
        const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
        Object.entries(attributes).forEach(([name, value]) => element.setAttribute(name, value));
        return element;
    };
    const lines = names.map((name, index) => svgElement('polyline', {
        fill: 'none', stroke: QUEUE_COLORS[index % QUEUE_COLORS.length], 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke',
        points: history.map((sample, x) => `${(x * width) / (HISTORY - 1)},${height - 4 - ((sample[name] || 0) * (height - 20)) / highest}`).join(' '),
    }));
    const label = svgElement('text', { x: 4, y: 12, 'font-size': 11, fill: '#687087' });
    label.textContent = `${numbers.format(highest)} waiting`;
    svg.replaceChildren(label, ...lines);
    $('#depth-legend').replaceChildren(...names.map((name, index) => el('span', {},
        el('i', { style: `background:${QUEUE_COLORS[index % QUEUE_COLORS.length]}` }), name)),
    el('span', {}, 'messages waiting and unacknowledged, the last two minutes'));
}

// ---------------------------------------------------------------------------------------------------------------------
// Workers

const COUNTERS = [
    ['processed', 'processed'],
    ['duplicatesSkipped', 'duplicates skipped'],
    ['retries', 'retries'],
    ['deadLettered', 'dead-lettered'],
    ['deadLettersParked', 'parked'],
];

function workerCard(worker) {
    const card = el('div', { class: 'card', 'data-worker': worker.name },
        el('h3', {}, worker.name, el('span', { class: 'badge', 'data-field': 'state' })),
        el('div', { class: 'hint' }, `queue ${worker.queue}`, el('span', { 'data-field': 'instances' })),
        el('div', { class: 'counters' }, ...COUNTERS.map(([field, label]) => el('div', { class: 'counter', 'data-counter': field },
            el('b', { 'data-field': field }, '–'), el('span', {}, label)))),
        el('div', { class: 'outcomes', 'data-field': 'outcomes' }),
        el('div', { class: 'controls' },
            el('div', { class: 'row' },
                el('label', {}, 'fail ', el('input', { type: 'number', min: 0, max: 100, step: 10, value: 0, 'data-control': 'failure-rate' }), ' %'),
                el('label', {}, 'slow ', el('input', { type: 'number', min: 0, max: 10000, step: 100, value: 0, 'data-control': 'latency' }), ' ms'),
                el('button', { type: 'button', class: 'admin-only', 'data-action': 'faults', disabled: !admin, onclick: () => applyFaults(worker.name) },
                    'Apply')),
            el('div', { class: 'row' },
                el('label', { title: 'the most orders a second this worker applies; empty for no cap' }, 'cap ',
                    el('input', { type: 'number', min: 1, max: 1000000, step: 100, placeholder: 'none', 'data-control': 'max-rate' }), ' /s'),
                el('button', { type: 'button', class: 'admin-only', 'data-action': 'max-rate', disabled: !admin, onclick: () => applyRateCap(worker.name) },
                    'Cap')),
            el('div', { class: 'row' },
                el('button', { type: 'button', class: 'admin-only secondary', 'data-action': 'consumption', disabled: !admin,
                    onclick: () => toggleConsumption(worker.name) }, 'Stop consuming'),
                el('button', { type: 'button', class: 'admin-only secondary', 'data-action': 'dead-letters', disabled: !admin,
                    onclick: () => openDeadLetters(worker.name) }, 'Dead letters')),
            el('div', { class: 'hint', 'data-field': 'message' })));
    return card;
}

function renderWorkers(workers) {
    const cards = $('#worker-cards');
    for (const worker of workers) {
        let card = $(`[data-worker="${worker.name}"]`, cards);
        if (!card) {
            card = workerCard(worker);
            cards.append(card);
        }
        const stats = worker.stats;
        card.classList.toggle('unreachable', !worker.reachable);
        const state = $('[data-field=state]', card);
        const capped = worker.reachable && stats.consuming && stats.maxRatePerSecond != null;
        state.textContent = !worker.reachable ? 'unreachable' : !stats.consuming ? 'stopped'
            : capped ? `capped at ${count(stats.maxRatePerSecond)}/s` : 'consuming';
        state.className = `badge ${!worker.reachable ? 'down' : stats.consuming ? 'on' : 'off'}`;
        state.title = worker.problem || '';
        card.dataset.consuming = String(Boolean(stats && stats.consuming));
        // The counters summed over every process of the worker when it tells them (total), else those of the one that
        // answered. The parked dead letters are in the database the processes share: one figure, never summed.
        const summed = stats && stats.total ? { ...stats, ...stats.total, deadLettersParked: stats.deadLettersParked } : stats;
        const instances = $('[data-field=instances]', card);
        instances.textContent = stats && stats.total
            ? ` · ${count(stats.total.instances)} instance${stats.total.instances === 1 ? '' : 's'}, ${count(stats.total.consumers)} consumers` : '';
        instances.title = stats && stats.total && stats.total.instances > 1
            ? 'counters summed over every instance; the controls act on the instance the dashboard reaches' : '';
        for (const [field] of COUNTERS) {
            $(`[data-field=${field}]`, card).textContent = summed ? count(summed[field]) : '–';
        }
        $('[data-counter=deadLettersParked]', card).classList.toggle('alert', Boolean(stats && stats.deadLettersParked > 0));
        $('[data-field=outcomes]', card).textContent = summed && Object.keys(summed.outcomes).length
            ? Object.entries(summed.outcomes).map(([outcome, n]) => `${outcome} ${count(n)}`).join(' · ') : '';
        $('[data-action=consumption]', card).textContent = stats && !stats.consuming ? 'Resume consuming' : 'Stop consuming';
    }
}

function workerMessage(name, text) {
    $(`[data-worker="${name}"] [data-field=message]`).textContent = text;
}

async function applyFaults(name) {
    const card = $(`[data-worker="${name}"]`);
    const failurePercent = Number($('[data-control=failure-rate]', card).value);
    const latencyMillis = Number($('[data-control=latency]', card).value);
    const current = await call('GET', `/api/admin/workers/${name}/faults`);
    if (!current.ok) {
        workerMessage(name, describe(current));
        return;
    }
    const answer = await call('PUT', `/api/admin/workers/${name}/faults`, {
        failureRate: failurePercent / 100, latency: `PT${latencyMillis / 1000}S`, crashRate: current.json.crashRate,
    });
    workerMessage(name, answer.ok
        ? `now failing ${Math.round(answer.json.failureRate * 100)} % of attempts${latencyMillis > 0 ? `, each ${millis(latencyMillis)} slower` : ''}`
        : describe(answer));
}

async function loadFaults(name) {
    const answer = await call('GET', `/api/admin/workers/${name}/faults`);
    if (answer.ok) {
        const card = $(`[data-worker="${name}"]`);
        $('[data-control=failure-rate]', card).value = Math.round(answer.json.failureRate * 100);
        $('[data-control=latency]', card).value = Math.round(seconds(answer.json.latency) * 1000);
    }
}

/** Seconds of a duration as Jackson writes it: a number of seconds, or ISO-8601 (PT0.05S). */
function seconds(duration) {
    if (typeof duration === 'number') {
        return duration;
    }
    const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(duration || '');
    return match ? Number(match[1] || 0) * 3600 + Number(match[2] || 0) * 60 + Number(match[3] || 0) : 0;
}

async function applyRateCap(name) {
    const input = $(`[data-worker="${name}"] [data-control=max-rate]`);
    const answer = input.value === ''
        ? await call('DELETE', `/api/admin/workers/${name}/consumption/max-rate`)
        : await call('PUT', `/api/admin/workers/${name}/consumption/max-rate`, { perSecond: Number(input.value) });
    workerMessage(name, !answer.ok ? describe(answer) : answer.json.perSecond == null
        ? 'no cap: it applies orders as fast as it can'
        : `capped at ${count(answer.json.perSecond)} orders/s: a backlog drains in a straight line`);
    refresh();
}

async function toggleConsumption(name) {
    const consuming = $(`[data-worker="${name}"]`).dataset.consuming === 'true';
    workerMessage(name, consuming ? 'stopping…' : 'resuming…');
    const answer = await call('PUT', `/api/admin/workers/${name}/consumption`, { consuming: !consuming });
    workerMessage(name, answer.ok
        ? (answer.json.consuming ? 'consuming again: it catches up with its queue' : 'stopped: new orders wait in its queue')
        : describe(answer));
    refresh();
}

// ---------------------------------------------------------------------------------------------------------------------
// The history stream and the analytics rebuild

function renderHistory(stream, rebuild) {
    $('#history [data-field=stream]').textContent = stream
        ? `${count(stream.appended)} messages appended since the broker started, ${rate(stream.appendRate)}/s` : 'no history stream';
    let text = 'analytics rebuild: not answered';
    if (rebuild) {
        text = {
            idle: 'analytics rebuild: none since the worker started',
            replaying: `analytics rebuild: replaying, ${count(rebuild.read)} read, ${count(rebuild.replayed)} orders added`,
            done: `analytics rebuild: done, generation ${rebuild.generation}, ${count(rebuild.ordersAfter)} orders`
                + ` (before: ${count(rebuild.ordersBefore)}), ${count(rebuild.unreadable)} unreadable skipped`,
            failed: `analytics rebuild: failed (${rebuild.error}), the figures are unchanged`,
        }[rebuild.state] || `analytics rebuild: ${rebuild.state}`;
    }
    $('#history [data-field=rebuild]').textContent = text;
}

async function rebuildAnalytics() {
    const answer = await call('POST', '/api/admin/workers/analytics-worker/history/rebuild');
    $('#rebuild-message').textContent = answer.ok ? '' : describe(answer);
    refresh();
}

async function sendPoison() {
    const answer = await call('POST', `/api/admin/poison?kind=${encodeURIComponent($('#poison-kind').value)}`);
    $('#poison-result').textContent = answer.ok
        ? `published ${shortId(answer.json.messageId)} for order id ${shortId(answer.json.orderId)}: every worker parks it at once`
        : describe(answer);
}

// ---------------------------------------------------------------------------------------------------------------------
// Dead letters

let deadLettersOf = null;
let deadLettersShownFor = null;

async function openDeadLetters(name) {
    deadLettersOf = name;
    $('#dlq-worker').textContent = name;
    $('#dead-letters').hidden = false;
    $('#dlq-message').textContent = '';
    await loadDeadLetters();
    $('#dead-letters').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

function parkedOf(name) {
    const worker = rendered && rendered.workers.find((each) => each.name === name);
    return worker && worker.stats ? worker.stats.deadLettersParked : null;
}

/** Reloads the open list when the worker's parked count changed: not every second, so its buttons stay put. */
function refreshDeadLettersIfChanged() {
    if (deadLettersOf && admin && parkedOf(deadLettersOf) !== deadLettersShownFor) {
        loadDeadLetters();
    }
}

async function loadDeadLetters() {
    const name = deadLettersOf;
    deadLettersShownFor = parkedOf(name);
    const base = `/api/admin/workers/${name}/dead-letters`;
    const [groups, list] = await Promise.all([call('GET', `${base}/groups`), call('GET', `${base}?limit=20`)]);
    if (!groups.ok || !list.ok) {
        $('#dlq-message').textContent = describe(groups.ok ? list : groups);
        return;
    }
    $('#dlq-replay-all').textContent = `Replay all (${count(list.json.parked)})`;
    $('#dlq-replay-all').dataset.parked = String(list.json.parked);
    $('#dlq-groups tbody').replaceChildren(...groups.json.map((group) => el('tr', { 'data-group': group.group },
        el('td', {}, count(group.count)),
        el('td', { class: 'text' }, group.exceptionClass || group.brokerReason || group.deadLetteredBy,
            el('div', { class: 'hint' }, group.sampleMessage || '')),
        el('td', { class: 'text' }, group.thrownAt || ''),
        el('td', {}, time(group.lastFailedAt)),
        el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: () => replay(`${base}/groups/${group.group}/replay`) },
            'Replay group')))));
    $('#dlq-list tbody').replaceChildren(...list.json.deadLetters.map((letter) => el('tr', { 'data-dead-letter': letter.id },
        el('td', {}, String(letter.id)),
        el('td', { title: letter.orderId || '' }, shortId(letter.orderId)),
        el('td', { class: 'text' }, letter.reason),
        el('td', {}, letter.attempts === null ? '–' : String(letter.attempts)),
        el('td', {}, String(letter.replayCount)),
        el('td', {}, time(letter.lastFailedAt)),
        el('td', {},
            el('button', { type: 'button', class: 'secondary', onclick: () => replay(`${base}/${letter.id}/replay`) }, 'Replay'),
            ' ',
            el('button', { type: 'button', class: 'danger', onclick: () => discard(`${base}/${letter.id}`) }, 'Discard')))));
}

async function replay(url) {
    const answer = await call('POST', url);
    $('#dlq-message').textContent = answer.ok
        ? `replayed ${count(answer.json.replayed)} to ${deadLettersOf}'s queue`
        : describe(answer);
    await loadDeadLetters();
}

async function discard(url) {
    const answer = await call('DELETE', url);
    $('#dlq-message').textContent = answer.ok ? 'discarded: it will never be processed' : describe(answer);
    await loadDeadLetters();
}

// ---------------------------------------------------------------------------------------------------------------------
// Latest orders

function renderOrders(orders, workers) {
    const table = $('#orders table');
    const header = el('tr', {}, el('th', {}, 'order'), el('th', {}, 'placed'), el('th', {}, 'status'), el('th', {}, 'total'),
        ...workers.map((worker) => el('th', {}, worker.name.replace('-worker', ''))));
    table.tHead.replaceChildren(header);
    $('tbody', table).replaceChildren(...orders.map((placed) => el('tr', { 'data-order': placed.orderId },
        el('td', { title: placed.orderId }, shortId(placed.orderId)),
        el('td', {}, time(placed.createdAt)),
        el('td', { 'data-field': 'status' }, placed.status),
        el('td', {}, `${Number(placed.total).toFixed(2)} ${placed.currency}`),
        ...workers.map((worker) => {
            const outcome = placed.appliedBy[worker.name];
            if (!worker.reachable) {
                return el('td', { class: 'unknown', 'data-worker': worker.name }, '?');
            }
            return outcome
                ? el('td', { class: outcome === 'rejected' ? 'rejected' : 'applied', 'data-worker': worker.name }, outcome)
                : el('td', { class: 'pending', 'data-worker': worker.name }, '…');
        }))));
}

// ---------------------------------------------------------------------------------------------------------------------
// Admin sign-in

function setSignedIn(user) {
    $('#sign-in').hidden = Boolean(user);
    $('#signed-in').hidden = !user;
    $('#signed-in-user').textContent = user || '';
    $$('.admin-only').forEach((control) => { control.disabled = !user; });
    if (!user) {
        $('#dead-letters').hidden = true;
        deadLettersOf = null;
    }
}

async function signIn(event) {
    event.preventDefault();
    const user = $('#admin-user').value;
    admin = { user, authorization: basic(user, $('#admin-password').value) };
    // Any admin read tells whether the credentials are right; this one changes nothing. The security filter answers
    // 401 before any routing, so a 404 (the outbox's fault knob switched off) still means the credentials are right.
    const answer = await call('GET', '/api/admin/faults');
    if (!answer.ok && answer.status !== 404) {
        admin = null;
        $('#sign-in-message').textContent = answer.status === 401 ? 'wrong user or password' : describe(answer);
        return;
    }
    $('#admin-password').value = '';
    $('#sign-in-message').textContent = '';
    setSignedIn(user);
    (rendered ? rendered.workers : []).forEach((worker) => loadFaults(worker.name));
}

// ---------------------------------------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
    $('#sign-in').addEventListener('submit', signIn);
    $('#sign-out').addEventListener('click', () => {
        admin = null;
        setSignedIn(null);
    });
    $('#place-both').addEventListener('click', placeBoth);
    $('#sale-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        const total = Math.min(SALE_MAX, Math.max(1, Math.floor(Number($('#sale-orders').value) || 1)));
        $('#sale-orders').value = total;
        $('#sale-fire').disabled = true;
        try {
            await flashSale(total, $('#sale-sku').value);
        } finally {
            $('#sale-fire').disabled = false;
        }
    });
    $('#poison').addEventListener('click', sendPoison);
    $('#rebuild').addEventListener('click', rebuildAnalytics);
    $('#dlq-replay-all').addEventListener('click', () => replay(`/api/admin/workers/${deadLettersOf}/dead-letters/replay`));
    $('#dlq-close').addEventListener('click', () => {
        $('#dead-letters').hidden = true;
        deadLettersOf = null;
    });
    setSignedIn(null);
    refresh();
});
