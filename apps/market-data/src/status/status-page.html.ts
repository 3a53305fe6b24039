import { createHash } from 'node:crypto';

/**
 * The status page: one HTML document with its style and script inline (no external asset, no
 * framework), locked down by a CSP that allows exactly these two inline blocks and a socket back
 * to this origin. Every dynamic value is written with textContent or a data-* attribute: nothing
 * from the server is ever parsed as HTML.
 */
const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #6e7781; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; padding: 1.5rem; max-width: 72rem; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
h1 { font-size: 1.3rem; margin: 0; }
h2 { font-size: 1rem; margin: 1.5rem 0 .5rem; }
.muted { color: var(--muted); }
#link[data-link="open"] { color: var(--ok); }
#link[data-link="closed"], #link[data-link="connecting"] { color: var(--bad); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #8884; vertical-align: top; }
td[data-field="state"] { font-weight: 600; }
td[data-state="ready"] { color: var(--ok); }
td[data-state="connecting"], td[data-state="authenticating"], td[data-state="restoring"], td[data-state="reconnecting"], td[data-state="idle"] { color: var(--warn); }
td[data-state="circuit-open"], td[data-state="closed"] { color: var(--bad); }
td[data-field="reason"] { max-width: 28rem; word-break: break-word; }
td[data-field="source"][data-test-exchange="true"], td[data-field="c-state"][data-state="refused"], td[data-field="c-state"][data-state="failed"] { color: var(--bad); font-weight: 600; }
td[data-field="c-state"][data-state="live"] { color: var(--ok); }
td[data-field="c-state"][data-state="pending"] { color: var(--warn); }
#source { border: 2px solid var(--bad); color: var(--bad); padding: .5rem .8rem; margin: 1rem 0 0; font-weight: 600; }
#source[hidden] { display: none; }
#ticker-note { color: var(--bad); }
#tickers td { font-variant-numeric: tabular-nums; }
ol { padding-left: 1.2rem; margin: 0; }
li { font-variant-numeric: tabular-nums; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var FIELDS = ['name', 'venue', 'source', 'state', 'since', 'reason', 'age', 'reconnects', 'circuit', 'shards', 'rotations'];
  var TICKER_FIELDS = ['k-connection', 'k-instrument', 'k-last', 'k-bid', 'k-ask', 'k-mark', 'k-time'];
  // The first connection's ticker cells also carry these ids (the page's headline ticker).
  var TICKER_IDS = { 'k-last': 't-last', 'k-bid': 't-bid', 'k-ask': 't-ask', 'k-mark': 't-mark', 'k-time': 't-time' };
  var tickerOf = new Map();
  var tickerRows = new Map();
  var tickerValues = new Map();
  var tickersBody = document.getElementById('tickers-body');
  var CHANNEL_FIELDS = ['c-connection', 'c-channel', 'c-state', 'c-since', 'c-failures', 'c-retry', 'c-reason'];
  var channelsBody = document.getElementById('channels-body');
  var sourceBanner = document.getElementById('source');
  var tickerNote = document.getElementById('ticker-note');
  var tbody = document.getElementById('connections-body');
  var link = document.getElementById('link');
  var updated = document.getElementById('updated');
  var history = document.getElementById('history');
  var rows = new Map();
  var lastState = new Map();
  var attempt = 0;

  function setText(el, value) { el.textContent = value === undefined || value === null ? '' : String(value); }
  function seconds(ms) { return ms === undefined || ms === null ? '-' : (ms / 1000).toFixed(1) + ' s ago'; }
  // Make-before-break rotations: how many completed, failed (the old socket served on), were
  // abandoned, and switched channels at the overlap bound; the last one's duration.
  function rotations(r) {
    if (!r || typeof r !== 'object') return '-';
    var parts = [r.completed + ' completed', r.failed + ' failed'];
    if (r.abandoned > 0) parts.push(r.abandoned + ' abandoned');
    parts.push(r.forcedChannels + ' forced');
    var text = parts.join(', ');
    if (typeof r.lastRotationMs === 'number') text += '; last ' + r.lastRotationMs + ' ms';
    if (r.rotating === true) text += '; rotating now';
    return text;
  }
  function clock(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? '-' : d.toLocaleTimeString(); }
  function duration(fromIso, toIso) {
    var ms = Date.parse(toIso) - Date.parse(fromIso);
    if (!(ms >= 0)) return '';
    var s = Math.floor(ms / 1000);
    return s < 120 ? s + ' s' : s < 7200 ? Math.floor(s / 60) + ' min' : Math.floor(s / 3600) + ' h';
  }

  function rowFor(name) {
    var row = rows.get(name);
    if (row) return row;
    row = document.createElement('tr');
    row.setAttribute('data-connection', name);
    FIELDS.forEach(function (field) {
      var cell = document.createElement('td');
      cell.setAttribute('data-field', field);
      row.appendChild(cell);
    });
    tbody.appendChild(row);
    rows.set(name, row);
    return row;
  }
  function cell(row, field) { return row.children[FIELDS.indexOf(field)]; }

  function noteState(name, state, reason) {
    var before = lastState.get(name);
    if (before === state) return;
    lastState.set(name, state);
    var item = document.createElement('li');
    setText(item, new Date().toLocaleTimeString() + '  ' + name + ': ' + (before || 'start') + ' -> ' + state + (reason ? '  (' + reason + ')' : ''));
    history.insertBefore(item, history.firstChild);
    while (history.children.length > 20) history.removeChild(history.lastChild);
  }

  function showState(name, state, reason) {
    var row = rowFor(name);
    var stateCell = cell(row, 'state');
    setText(stateCell, state);
    stateCell.setAttribute('data-state', state);
    noteState(name, state, reason);
  }

  function showChannels(channels, at) {
    while (channelsBody.firstChild) channelsBody.removeChild(channelsBody.firstChild);
    channels.forEach(function (ch) {
      if (!ch || typeof ch.channel !== 'string') return;
      var row = document.createElement('tr');
      var values = [ch.connection, ch.channel, ch.state, clock(ch.since) + ' (' + duration(ch.since, at) + ')', ch.failures,
        ch.retryAt ? clock(ch.retryAt) : '', ch.reason || ''];
      CHANNEL_FIELDS.forEach(function (field, i) {
        var td = document.createElement('td');
        td.setAttribute('data-field', field);
        if (field === 'c-state') td.setAttribute('data-state', String(ch.state));
        setText(td, values[i]);
        row.appendChild(td);
      });
      channelsBody.appendChild(row);
    });
  }
  function showSource(connections) {
    var fake = connections.filter(function (c) { return c && c.testExchange === true; }).map(function (c) { return c.name; });
    if (fake.length === 0) { sourceBanner.hidden = true; return; }
    sourceBanner.hidden = false;
    setText(sourceBanner, 'TEST EXCHANGE: ' + fake.join(', ') + ' data comes from a test exchange (seeded fake prices, not the venue).');
  }
  function showStatus(message) {
    if (!Array.isArray(message.connections)) return;
    showSource(message.connections);
    if (Array.isArray(message.channels)) showChannels(message.channels, message.at);
    message.connections.forEach(function (c) {
      if (typeof c.name !== 'string') return;
      var row = rowFor(c.name);
      setText(cell(row, 'name'), c.name);
      setText(cell(row, 'venue'), c.venue);
      setText(cell(row, 'shards'), c.shards);
      var source = cell(row, 'source');
      var origin = c.testExchange === true ? 'test exchange (fake prices)' : 'venue';
      // Replicas on NATS: the owner holds the session; a standby's data comes through NATS.
      if (c.ownership) origin += c.ownership.role === 'owner' ? ' (this replica owns it, epoch ' + c.ownership.epoch + ')' : ' via NATS (owner ' + c.ownership.owner + ')';
      setText(source, origin);
      source.setAttribute('data-test-exchange', String(c.testExchange === true));
      showState(c.name, String(c.state), c.reason);
      setText(cell(row, 'since'), clock(c.since) + ' (' + duration(c.since, message.at) + ')');
      setText(cell(row, 'reason'), c.reason || '');
      setText(cell(row, 'age'), seconds(c.lastInboundAgeMs));
      setText(cell(row, 'reconnects'), c.reconnects);
      setText(cell(row, 'circuit'), c.circuit);
      setText(cell(row, 'rotations'), rotations(c.rotations));
    });
    setText(updated, 'updated ' + clock(message.at));
  }

  function tickerRow(name, first) {
    var row = tickerRows.get(name);
    if (row) return row;
    row = document.createElement('tr');
    row.setAttribute('data-ticker', name);
    TICKER_FIELDS.forEach(function (field) {
      var td = document.createElement('td');
      td.setAttribute('data-field', field);
      if (first && TICKER_IDS[field]) td.id = TICKER_IDS[field];
      setText(td, field === 'k-connection' ? name : '-');
      row.appendChild(td);
    });
    tickersBody.appendChild(row);
    tickerRows.set(name, row);
    return row;
  }
  // Deribit sends whole tickers; Bybit a snapshot, then deltas with the fields that changed;
  // Binance its 24hrTicker event.
  function tickerFields(message) {
    if (!message || typeof message !== 'object') return {};
    if (message.e === '24hrTicker') return { instrument: message.s, last: message.c, bid: message.b, ask: message.a, time: message.E };
    var d = message.data && typeof message.data === 'object' && typeof message.topic === 'string' ? message.data : message;
    if (d === message) return { instrument: d.instrument_name, last: d.last_price, bid: d.best_bid_price, ask: d.best_ask_price, mark: d.mark_price, time: d.timestamp };
    return { instrument: d.symbol, last: d.lastPrice, bid: d.bid1Price, ask: d.ask1Price, mark: d.markPrice, time: message.ts };
  }
  function showTicker(name, message) {
    var row = tickerRows.get(name);
    if (!row) return;
    var values = tickerValues.get(name) || {};
    var fields = tickerFields(message);
    Object.keys(fields).forEach(function (k) { if (fields[k] !== undefined && fields[k] !== null) values[k] = fields[k]; });
    tickerValues.set(name, values);
    var cells = row.children;
    setText(cells[1], values.instrument);
    setText(cells[2], values.last);
    setText(cells[3], values.bid);
    setText(cells[4], values.ask);
    setText(cells[5], values.mark === undefined ? '-' : values.mark);
    setText(cells[6], typeof values.time === 'number' ? new Date(values.time).toLocaleTimeString() : '-');
  }
  function welcome(message, socket) {
    if (!Array.isArray(message.connections)) return;
    message.connections.forEach(function (c, i) {
      if (!c || typeof c.name !== 'string' || typeof c.ticker !== 'string') return;
      tickerOf.set(c.name, c.ticker);
      tickerRow(c.name, i === 0);
      socket.send(JSON.stringify({ type: 'subscribe', connection: c.name, channel: c.ticker }));
    });
  }

  function connect() {
    var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/stream');
    link.setAttribute('data-link', 'connecting');
    setText(link, 'stream: connecting');
    socket.onopen = function () {
      attempt = 0;
      link.setAttribute('data-link', 'open');
      setText(link, 'stream: live');
      socket.send(JSON.stringify({ type: 'status' }));
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (!message || typeof message !== 'object') return;
      var isTicker = typeof message.connection === 'string' && tickerOf.get(message.connection) === message.channel;
      if (message.type === 'welcome') welcome(message, socket);
      else if (message.type === 'status') showStatus(message);
      else if (message.type === 'state' && typeof message.connection === 'string') showState(message.connection, String(message.state));
      else if (message.type === 'data' && isTicker) { setText(tickerNote, ''); showTicker(message.connection, message.data); }
      else if (message.type === 'error' && isTicker) setText(tickerNote, message.connection + ': ' + message.message);
    };
    socket.onclose = function () {
      link.setAttribute('data-link', 'closed');
      setText(link, 'stream: disconnected, retrying');
      var delay = Math.min(10000, 500 * Math.pow(2, attempt++));
      setTimeout(connect, delay);
    };
  }
  connect();
})();
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>market-data status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>market-data status</h1>
  <span id="link" data-link="connecting">stream: connecting</span>
  <span id="updated" class="muted"></span>
</header>
<p id="source" hidden></p>
<h2>Exchange connections</h2>
<table>
  <thead><tr><th>connection</th><th>venue</th><th>data from</th><th>state</th><th>since</th><th>reason</th><th>last message</th><th>reconnects</th><th>circuit</th><th>sockets</th><th>rotations</th></tr></thead>
  <tbody id="connections-body"></tbody>
</table>
<h2>Channels</h2>
<table>
  <thead><tr><th>connection</th><th>channel</th><th>state</th><th>since</th><th>failures</th><th>next retry</th><th>reason</th></tr></thead>
  <tbody id="channels-body"></tbody>
</table>
<h2>Tickers (live) <span id="ticker-note"></span></h2>
<table id="tickers">
  <thead><tr><th>connection</th><th>instrument</th><th>last</th><th>bid</th><th>ask</th><th>mark</th><th>exchange time</th></tr></thead>
  <tbody id="tickers-body"></tbody>
</table>
<h2>Recent state changes <span class="muted">(this page, newest first)</span></h2>
<ol id="history"></ol>
<script>${SCRIPT}</script>
</body>
</html>
`;
