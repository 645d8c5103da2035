#!/usr/bin/env node
// node-taobao-topclient 0.1.7 (npm), unchanged, against a running `topgate serve --demo`.
//
//   TOPGATE_URL=http://127.0.0.1:PORT/router/rest NODE_PATH=.../node_modules node test_node_sdk.js
//
// The SDK: md5 only; timestamp the local wall-clock time as `yyyy-MM-dd HH:mm:ss`; POST puts
// every parameter (system and business) in one x-www-form-urlencoded body, GET puts them all in
// the query string; `Accept: application/json` always; `session` is an ordinary parameter; no
// file upload (objects are JSON.stringify'd). execute() resolves to the `<name>_response` object
// (wrapper dropped) or null; an `error_response` rejects with an Error named TOPClientError
// carrying .code, .sub_code and .data (the whole body).
//
// Only Node's standard library besides the SDK. Prints `RESULT passed=N failed=M` last.
'use strict';

const assert = require('node:assert/strict');

const URL = process.env.TOPGATE_URL || '';
const APP_KEY = '12345678';
const SECRET = 'helloworld';
const SESSION = 'demo-session-tbtest561';
const NICK = 'tbtest561';
const CHINESE_Q = '连衣裙 夏季+新款';
const MISSING_SUB_MSG = 'iid和num_iid至少要传入一个';
const TIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const MONEY_RE = /^\d+\.\d{2}$/;
const GMT8_TZ = 'Asia/Shanghai';

// The SDK sends `new Date()` in local time: a developer in China runs it at GMT+8.
process.env.TZ = GMT8_TZ;

let TopClient;
try {
  TopClient = require('node-taobao-topclient').default;
} catch (e) {
  console.log('cannot load node-taobao-topclient: ' + e.message);
}

function client(opts) {
  return new TopClient(Object.assign({ appkey: APP_KEY, appsecret: SECRET, REST_URL: URL }, opts || {}));
}

function assertRequestIdLast(body) {
  assert.equal(typeof body, 'object', JSON.stringify(body));
  assert.notEqual(body, null);
  assert.equal(typeof body.request_id, 'string');
  assert.ok(body.request_id.length > 0);
  const keys = Object.keys(body);
  assert.equal(keys[keys.length - 1], 'request_id', JSON.stringify(body));
  assert.ok(!('code' in body) && !('sub_code' in body), JSON.stringify(body));
}

function assertItem1(body) {
  assertRequestIdLast(body);
  const item = body.item;
  assert.deepEqual(Object.keys(item).sort(), ['num_iid', 'price', 'title'], JSON.stringify(item));
  assert.equal(item.num_iid, 1);
  assert.equal(typeof item.title, 'string');
  assert.ok(item.title.length > 0);
  assert.equal(typeof item.price, 'string');
  assert.match(item.price, MONEY_RE);
}

function assertOnsale(body) {
  assertRequestIdLast(body);
  assert.equal(typeof body.total_results, 'number', JSON.stringify(body));
  assert.ok(Number.isInteger(body.total_results) && body.total_results >= 0);
  if (body.total_results > 0) assert.ok(Array.isArray(body.items.item));
}

async function expectTopError(promise, code, msg, subCode, subMsg) {
  let res;
  try {
    res = await promise;
  } catch (e) {
    assert.ok(e instanceof Error, 'rejected with a non-Error: ' + String(e));
    assert.equal(e.name, 'TOPClientError', e.stack);
    assert.equal(e.code, code, e.message);
    const er = e.data && e.data.error_response;
    assert.ok(er, 'error has no data.error_response');
    assert.equal(er.code, code);
    assert.equal(er.msg, msg);
    assert.ok(typeof er.request_id === 'string' && er.request_id.length > 0, 'error without request_id');
    const keys = Object.keys(er);
    assert.equal(keys[keys.length - 1], 'request_id', JSON.stringify(er));
    if (subCode !== undefined) {
      assert.equal(e.sub_code, subCode);
      assert.equal(er.sub_msg, subMsg);
      assert.equal(e.message, `${msg}, code ${code}; ${subCode}: ${subMsg}`);
    }
    return e;
  }
  assert.fail('expected TOPClientError ' + code + ', got ' + JSON.stringify(res));
}

async function chineseCase(type) {
  try {
    const body = await client().execute('taobao.items.onsale.get',
      { session: SESSION, fields: 'num_iid,title', q: CHINESE_Q, page_no: 1, page_size: 10 }, type);
    assertOnsale(body);
  } catch (e) {
    if (e.name !== 'TOPClientError') throw e;
    assert.ok(e.code !== 25 && e.code !== 47, e.message);
    assert.ok(e.code >= 100, 'a platform error for a valid request: ' + e.message);
  }
}

const VECTOR = {
  method: 'taobao.item.seller.get', app_key: '12345678', session: 'test',
  timestamp: '2016-01-01 12:00:00', format: 'json', v: '2.0', sign_method: 'md5',
  fields: 'num_iid,title,nick,price,num', num_iid: '11223344',
};

const tests = [
  ['sign vector (offline)', async () => {
    assert.equal(client().sign(VECTOR), '66987CB115214E59E6EC978214934FB8');
  }],
  ['time.get POST', async () => {
    const body = await client().execute('taobao.time.get', {});
    assertRequestIdLast(body);
    assert.match(body.time, TIME_RE);
  }],
  ['time.get GET', async () => {
    const body = await client().execute('taobao.time.get', {}, 'GET');
    assertRequestIdLast(body);
    assert.match(body.time, TIME_RE);
  }],
  ['item.get POST', async () => {
    assertItem1(await client().execute('taobao.item.get', { fields: 'num_iid,title,price', num_iid: 1 }));
  }],
  ['item.get GET', async () => {
    assertItem1(await client().execute('taobao.item.get', { fields: 'num_iid,title,price', num_iid: 1 }, 'GET'));
  }],
  ['user.get with session', async () => {
    const body = await client().execute('taobao.user.get', { session: SESSION, fields: 'nick', nick: NICK });
    assertRequestIdLast(body);
    assert.deepEqual(body.user, { nick: NICK });
  }],
  ['wrong secret -> 25', async () => {
    await expectTopError(client({ appsecret: 'not-the-secret' }).execute('taobao.time.get', {}), 25, 'Invalid signature');
  }],
  ['missing parameter -> 530 isv.missing-parameter', async () => {
    await expectTopError(client().execute('taobao.item.get', { fields: 'num_iid,title,price' }),
      530, 'Remote service error', 'isv.missing-parameter', MISSING_SUB_MSG);
  }],
  ['missing parameter GET -> 530', async () => {
    await expectTopError(client().execute('taobao.item.get', { fields: 'num_iid,title,price' }, 'GET'),
      530, 'Remote service error', 'isv.missing-parameter', MISSING_SUB_MSG);
  }],
  ['chinese q POST (%20 for space)', async () => chineseCase('POST')],
  ['chinese q GET (all in query)', async () => chineseCase('GET')],
  ['empty value is signed', async () => {
    assertOnsale(await client().execute('taobao.items.onsale.get', { session: SESSION, fields: 'num_iid,title', q: '' }));
  }],
  ['unknown app key -> 29', async () => {
    await expectTopError(client({ appkey: '99999999' }).execute('taobao.time.get', {}), 29, 'Invalid app key');
  }],
  ['wrong session -> 27', async () => {
    await expectTopError(client().execute('taobao.items.onsale.get', { session: 'no-such-session-0000', fields: 'num_iid,title' }),
      27, 'Invalid session');
  }],
  ['missing session -> 26', async () => {
    await expectTopError(client().execute('taobao.items.onsale.get', { fields: 'num_iid,title' }), 26, 'Missing session');
  }],
  ['UTC wall-clock timestamp -> 31', async () => {
    process.env.TZ = 'UTC';
    try {
      await expectTopError(client().execute('taobao.time.get', {}), 31, 'Invalid timestamp');
    } finally {
      process.env.TZ = GMT8_TZ;
    }
  }],
  ['format=xml with Accept: application/json -> XML', async () => {
    // request() is the SDK's public lower layer: it resolves to the body (a string when not JSON)
    const body = await client().request({ method: 'taobao.time.get', format: 'xml' });
    assert.equal(typeof body, 'string', JSON.stringify(body));
    assert.ok(body.startsWith('<?xml version="1.0" encoding="utf-8" ?>'), body);
    assert.match(body, /<time_get_response>[\s\S]*<request_id>[^<]+<\/request_id>\s*<\/time_get_response>\s*$/);
  }],
];

async function main() {
  let passed = 0;
  let failed = 0;
  if (!URL) {
    console.log('set TOPGATE_URL, e.g. http://127.0.0.1:8080/router/rest');
    console.log('RESULT passed=0 failed=1');
    process.exitCode = 2;
    return;
  }
  for (const [name, fn] of tests) {
    try {
      if (!TopClient) throw new Error('node-taobao-topclient not loaded');
      await fn();
      passed++;
      console.log(`ok - ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL - ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  console.log(`RESULT passed=${passed} failed=${failed}`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main();
