#!/usr/bin/env python3
"""Published Python TOP SDKs, unchanged, against a running `topgate serve --demo`.

TOPGATE_URL=http://127.0.0.1:PORT/router/rest python test_python_sdk.py

SDKs (pinned in requirements.txt):
  * py-taobao-open 1.0.3 (package `taobao_open`) and taobao-sdk-python3 1.0.9 (package `top`):
    Python 3 ports of the official TOP Python SDK. POST, system parameters and sign in the query
    string, business parameters in a form body (multipart when a file is attached), timestamp in
    epoch milliseconds, md5 only. Errors raise TopException(errorcode, message, subcode, submsg).
  * taobao-sdk 0.0.5 (package `taobao`): a third-party SDK. POST, everything in one form body,
    timestamp the local wall-clock time as `yyyy-MM-dd HH:mm:ss`, md5. Returns (ok, dict).
  * a few stdlib-signed calls (not an SDK) for hmac and hmac-sha256, which no SDK here offers.

Only the standard library besides the SDKs. Prints `RESULT passed=N failed=M` last; run.sh
aggregates that into the harness's summary line.
"""
import hashlib
import hmac
import http.client
import io
import json
import os
import re
import struct
import sys
import time
import unittest
import urllib.parse
import zlib

URL = os.environ.get('TOPGATE_URL', '')
_u = urllib.parse.urlsplit(URL)
HOST = _u.hostname or '127.0.0.1'
PORT = _u.port or (443 if _u.scheme == 'https' else 80)
PATH = _u.path or '/router/rest'

APP_KEY = '12345678'
SECRET = 'helloworld'
SESSION = 'demo-session-tbtest561'
NICK = 'tbtest561'
UNKNOWN_APP_KEY = '99999999'
WRONG_SECRET = 'not-the-secret'
WRONG_SESSION = 'no-such-session-0000'
CHINESE_Q = '连衣裙 夏季+新款'   # a space and a '+': clients send them as '+'/'%20' and '%2B'
MISSING_SUB_MSG = 'iid和num_iid至少要传入一个'

# PROTOCOL.md section 2 test vector (first published with taobao-sdk 0.0.5's own test_sign.py).
SIGN_VECTOR = {
    'method': 'taobao.item.seller.get', 'app_key': '12345678', 'session': 'test',
    'timestamp': '2016-01-01 12:00:00', 'format': 'json', 'v': '2.0', 'sign_method': 'md5',
    'fields': 'num_iid,title,nick,price,num', 'num_iid': '11223344',
}
SIGN_VECTOR_MD5 = '66987CB115214E59E6EC978214934FB8'

TIME_RE = re.compile(r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$')
MONEY_RE = re.compile(r'^\d+\.\d{2}$')
GMT8_TZ = 'CST-8'   # POSIX TZ for UTC+8 (what a developer in China has); needs no tzdata
UTC_TZ = 'UTC0'


def tiny_png():
    """A valid 1x1 RGB PNG, built here so the harness ships no binary file."""
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    ihdr = struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b'\x00\xff\x00\x00')
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', idat) + chunk(b'IEND', b'')


PNG = tiny_png()


def set_tz(tz):
    old = os.environ.get('TZ')
    os.environ['TZ'] = tz
    time.tzset()
    return old


def restore_tz(old):
    if old is None:
        os.environ.pop('TZ', None)
    else:
        os.environ['TZ'] = old
    time.tzset()


class Common(unittest.TestCase):
    def assert_success_wrapper(self, doc, key):
        """v2 success: exactly one top-level key, request_id inside and last, no code/sub_code."""
        self.assertIsInstance(doc, dict)
        self.assertEqual(list(doc), [key], doc)
        body = doc[key]
        self.assert_request_id_last(body)
        return body

    def assert_request_id_last(self, body):
        self.assertIsInstance(body, dict)
        self.assertIn('request_id', body)
        self.assertIsInstance(body['request_id'], str)
        self.assertTrue(body['request_id'])
        self.assertEqual(list(body)[-1], 'request_id', body)
        self.assertNotIn('code', body)
        self.assertNotIn('sub_code', body)

    def assert_item_1(self, body):
        item = body['item']
        self.assertEqual(set(item), {'num_iid', 'title', 'price'}, item)
        self.assertEqual(item['num_iid'], 1)
        self.assertIsInstance(item['num_iid'], int)
        self.assertIsInstance(item['title'], str)
        self.assertTrue(item['title'])
        self.assertIsInstance(item['price'], str)
        self.assertRegex(item['price'], MONEY_RE)

    def assert_onsale(self, body):
        self.assertIsInstance(body.get('total_results'), int, body)
        self.assertGreaterEqual(body['total_results'], 0)
        if body['total_results'] > 0:
            self.assertIsInstance(body['items']['item'], list)


# --------------------------------------------------------------------------------------------
# The official SDK family: py-taobao-open (taobao_open) and taobao-sdk-python3 (top)
# --------------------------------------------------------------------------------------------

class OfficialFamily(Common):
    """Shared cases; subclasses set MODULE to the SDK's package name."""
    MODULE = None
    # api name -> (generated class name, its parameter attributes, multipart attributes).
    # The SDK's own generated class is used when the package ships it; otherwise a class is
    # built exactly the way the SDK's generator writes them (see e.g.
    # taobao_open/api/rest/ItemImgUploadRequest.py).
    APIS = {
        'taobao.time.get': ('TimeGetRequest', [], []),
        'taobao.user.get': ('UserGetRequest', ['fields', 'nick'], []),
        'taobao.item.get': ('ItemGetRequest', ['fields', 'iid', 'num_iid'], []),
        'taobao.item.img.upload': ('ItemImgUploadRequest',
                                   ['id', 'image', 'is_major', 'is_rectangle', 'num_iid', 'position'],
                                   ['image']),
        'taobao.items.onsale.get': ('ItemsOnsaleGetRequest',
                                    ['fields', 'page_no', 'page_size', 'q', 'order_by'], []),
    }

    @classmethod
    def setUpClass(cls):
        cls.sdk = __import__(cls.MODULE)
        __import__(cls.MODULE + '.api')
        cls.base = sys.modules[cls.MODULE + '.api.base']
        if PATH != cls.base.N_REST:
            raise AssertionError('the official SDK always requests %s; TOPGATE_URL path is %s'
                                 % (cls.base.N_REST, PATH))

    def request_class(self, api):
        clsname, attrs, multipart = self.APIS[api]
        own = getattr(self.sdk.api, clsname, None)
        if own is not None:
            return own
        RestApi = self.base.RestApi

        def __init__(self, domain='gw.api.taobao.com', port=80):
            RestApi.__init__(self, domain, port)
            for a in attrs:
                setattr(self, a, None)

        return type(clsname, (RestApi,), {
            '__init__': __init__,
            'getapiname': lambda self: api,
            'getMultipartParas': lambda self: list(multipart),
        })

    def call(self, api, params=None, session=None, key=APP_KEY, secret=SECRET):
        req = self.request_class(api)(HOST, PORT)
        req.set_app_info(self.sdk.appinfo(key, secret))
        for k, v in (params or {}).items():
            setattr(req, k, v)
        if session is None:
            return req.getResponse()
        return req.getResponse(session)

    def call_error(self, api, params=None, **kw):
        with self.assertRaises(self.base.TopException) as ctx:
            doc = self.call(api, params, **kw)
            self.fail('expected a TopException, got %r' % (doc,))
        return ctx.exception

    def assert_top_error(self, e, code, msg, sub_code=None, sub_msg=None):
        self.assertIsInstance(e.errorcode, int, str(e))
        self.assertEqual(e.errorcode, code, str(e))
        self.assertEqual(e.message, msg, str(e))
        if sub_code is not None:
            self.assertEqual(e.subcode, sub_code, str(e))
            self.assertEqual(e.submsg, sub_msg, str(e))

    # -- offline: the SDK's sign() reproduces PROTOCOL.md's vector
    def test_sign_vector(self):
        self.assertEqual(self.sdk.sign(SECRET, SIGN_VECTOR), SIGN_VECTOR_MD5)

    # (a) success
    def test_time_get(self):
        body = self.assert_success_wrapper(self.call('taobao.time.get'), 'time_get_response')
        self.assertRegex(body['time'], TIME_RE)

    def test_item_get(self):
        doc = self.call('taobao.item.get', {'fields': 'num_iid,title,price', 'num_iid': 1})
        self.assert_item_1(self.assert_success_wrapper(doc, 'item_get_response'))

    def test_user_get(self):
        doc = self.call('taobao.user.get', {'fields': 'nick', 'nick': NICK}, session=SESSION)
        body = self.assert_success_wrapper(doc, 'user_get_response')
        self.assertEqual(body['user'], {'nick': NICK})

    # (b) wrong secret
    def test_wrong_secret(self):
        e = self.call_error('taobao.time.get', secret=WRONG_SECRET)
        self.assert_top_error(e, 25, 'Invalid signature')

    # (c) missing parameter: a business error of the item product line
    def test_missing_parameter(self):
        e = self.call_error('taobao.item.get', {'fields': 'num_iid,title,price'})
        self.assert_top_error(e, 530, 'Remote service error', 'isv.missing-parameter', MISSING_SUB_MSG)

    # (d) image upload, multipart with `Content-Disposition: file; ...`
    def test_image_upload(self):
        # The py3 ports cannot send a bytes file as-is: py-taobao-open's mixStr() turns bytes
        # into their repr ("b'\\x89PNG...'"), taobao-sdk-python3's calls bytes.encode() and raises
        # AttributeError. The body is a str that http.client encodes as ISO-8859-1, so a file
        # handle whose read() returns latin-1 text delivers the exact bytes. That is the only way
        # these SDKs upload a real image.
        image = self.base.FileItem('demo.png', io.StringIO(PNG.decode('latin-1'), newline=''))
        doc = self.call('taobao.item.img.upload', {'num_iid': 1, 'image': image}, session=SESSION)
        body = self.assert_success_wrapper(doc, 'item_img_upload_response')
        img = body['item_img']
        self.assertIsInstance(img['id'], int)
        self.assertIsInstance(img['url'], str)
        self.assertTrue(img['url'])
        self.assertIsInstance(img['position'], int)

    # (e) Chinese values (and '+', ' ') in the signed form body
    def test_chinese_parameter(self):
        params = {'fields': 'num_iid,title', 'q': CHINESE_Q, 'page_no': 1, 'page_size': 10}
        try:
            doc = self.call('taobao.items.onsale.get', params, session=SESSION)
        except self.base.TopException as e:
            self.assertNotIn(e.errorcode, (25, 47), str(e))
            self.assertGreaterEqual(e.errorcode, 100, 'a platform error for a valid request: %s' % e)
            return
        self.assert_onsale(self.assert_success_wrapper(doc, 'items_onsale_get_response'))

    def test_empty_value_is_signed(self):
        # this SDK signs and sends parameters whose value is '' (q=)
        doc = self.call('taobao.items.onsale.get', {'fields': 'num_iid,title', 'q': ''}, session=SESSION)
        self.assert_onsale(self.assert_success_wrapper(doc, 'items_onsale_get_response'))

    # (f) app key that does not exist
    def test_unknown_app_key(self):
        e = self.call_error('taobao.time.get', key=UNKNOWN_APP_KEY, secret=SECRET)
        self.assert_top_error(e, 29, 'Invalid app key')

    # (g) sessions
    def test_wrong_session(self):
        e = self.call_error('taobao.items.onsale.get', {'fields': 'num_iid,title'}, session=WRONG_SESSION)
        self.assert_top_error(e, 27, 'Invalid session')

    def test_missing_session(self):
        e = self.call_error('taobao.items.onsale.get', {'fields': 'num_iid,title'})
        self.assert_top_error(e, 26, 'Missing session')


class TestPyTaobaoOpen(OfficialFamily):
    MODULE = 'taobao_open'


class TestTaobaoSdkPython3(OfficialFamily):
    MODULE = 'top'


# --------------------------------------------------------------------------------------------
# taobao-sdk 0.0.5: everything in one form body, local wall-clock timestamp, returns (ok, dict)
# --------------------------------------------------------------------------------------------

class TestTaobaoSdk(Common):
    @classmethod
    def setUpClass(cls):
        from taobao.api import TaoBao
        cls.TaoBao = TaoBao

    def setUp(self):
        # The SDK sends datetime.now(): a developer in China runs it at GMT+8.
        self._old_tz = set_tz(GMT8_TZ)

    def tearDown(self):
        restore_tz(self._old_tz)

    def client(self, key=APP_KEY, secret=SECRET, session=SESSION):
        # The SDK always signs `session`; with None it signs the text "None" while requests drops
        # the field from the body, so every call here carries a session.
        tb = self.TaoBao(key, secret, session)
        tb._url = URL   # the SDK hard-codes Taobao's hosts; this is where it keeps the URL
        return tb

    def post(self, method, data=None, **kw):
        return self.client(**kw).userapi.post(method, dict(data or {}))

    def assert_error(self, res, code, msg, sub_code=None, sub_msg=None):
        self.assertIsInstance(res, tuple, res)
        ok, err = res
        self.assertIs(ok, False, res)
        self.assertIsInstance(err['code'], int, err)
        self.assertEqual(err['code'], code, err)
        self.assertEqual(err['msg'], msg, err)
        if sub_code is not None:
            self.assertEqual(err['sub_code'], sub_code, err)
            self.assertEqual(err['sub_msg'], sub_msg, err)
        self.assertTrue(err.get('request_id'), err)
        self.assertEqual(list(err)[-1], 'request_id', err)

    def assert_ok(self, res):
        # None means the success wrapper was missing or empty: this SDK returns nothing then
        self.assertIsInstance(res, tuple, res)
        ok, body = res
        self.assertIs(ok, True, res)
        self.assert_request_id_last(body)
        return body

    def test_sign_vector(self):
        self.assertEqual(self.client().userapi.sign(dict(SIGN_VECTOR), type='md5'), SIGN_VECTOR_MD5)

    def test_time_get(self):
        body = self.assert_ok(self.post('taobao.time.get'))
        self.assertRegex(body['time'], TIME_RE)

    def test_item_get(self):
        self.assert_item_1(self.assert_ok(self.post('taobao.item.get',
                                                    {'fields': 'num_iid,title,price', 'num_iid': 1})))

    def test_wrong_secret(self):
        self.assert_error(self.post('taobao.time.get', secret=WRONG_SECRET), 25, 'Invalid signature')

    def test_missing_parameter(self):
        self.assert_error(self.post('taobao.item.get', {'fields': 'num_iid,title,price'}),
                          530, 'Remote service error', 'isv.missing-parameter', MISSING_SUB_MSG)

    def test_chinese_parameter(self):
        res = self.post('taobao.items.onsale.get', {'fields': 'num_iid,title', 'q': CHINESE_Q, 'page_no': 1})
        self.assertIsInstance(res, tuple, res)
        if res[0] is False:
            self.assertNotIn(res[1]['code'], (25, 47), res)
            self.assertGreaterEqual(res[1]['code'], 100, res)
            return
        self.assert_onsale(self.assert_ok(res))

    def test_unknown_app_key(self):
        self.assert_error(self.post('taobao.time.get', key=UNKNOWN_APP_KEY), 29, 'Invalid app key')

    def test_wrong_session(self):
        self.assert_error(self.post('taobao.items.onsale.get', {'fields': 'num_iid,title'}, session=WRONG_SESSION),
                          27, 'Invalid session')

    def test_timestamp_in_utc_wall_clock(self):
        # the same SDK on a machine set to UTC sends a time 8 hours behind GMT+8: beyond the skew
        set_tz(UTC_TZ)   # tearDown puts the caller's TZ back
        self.assert_error(self.post('taobao.time.get'), 31, 'Invalid timestamp')


# --------------------------------------------------------------------------------------------
# Not an SDK: the sign methods no SDK here offers (hmac, hmac-sha256), Java-style envelope
# (POST, system parameters in the query, GMT+8 string timestamp, business in a form body)
# --------------------------------------------------------------------------------------------

class TestStdlibSignMethods(Common):
    def raw_call(self, method, business, sign_method, secret=SECRET):
        ts = time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(time.time() + 8 * 3600))
        sysp = {'method': method, 'app_key': APP_KEY, 'timestamp': ts, 'format': 'json', 'v': '2.0',
                'sign_method': sign_method}
        allp = dict(sysp, **business)
        s = ''.join(k + allp[k] for k in sorted(allp)).encode('utf-8')
        digest = hashlib.md5 if sign_method == 'hmac' else hashlib.sha256
        sysp['sign'] = hmac.new(secret.encode('utf-8'), s, digest).hexdigest().upper()
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        try:
            conn.request('POST', PATH + '?' + urllib.parse.urlencode(sysp),
                         body=urllib.parse.urlencode(business),
                         headers={'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8'})
            resp = conn.getresponse()
            raw = resp.read()
            self.assertEqual(resp.status, 200, raw)
            return json.loads(raw)
        finally:
            conn.close()

    def test_hmac_item_get(self):
        doc = self.raw_call('taobao.item.get', {'fields': 'num_iid,title,price', 'num_iid': '1'}, 'hmac')
        self.assert_item_1(self.assert_success_wrapper(doc, 'item_get_response'))

    def test_hmac_sha256_chinese(self):
        doc = self.raw_call('taobao.items.onsale.get', {'fields': 'num_iid,title', 'q': CHINESE_Q,
                                                         'session': SESSION}, 'hmac-sha256')
        if 'error_response' in doc:
            self.assertNotIn(doc['error_response']['code'], (25, 47), doc)
            self.assertGreaterEqual(doc['error_response']['code'], 100, doc)
        else:
            self.assert_onsale(self.assert_success_wrapper(doc, 'items_onsale_get_response'))

    def test_hmac_sha256_wrong_secret(self):
        doc = self.raw_call('taobao.time.get', {}, 'hmac-sha256', secret=WRONG_SECRET)
        self.assertEqual(list(doc), ['error_response'], doc)
        self.assertEqual(doc['error_response']['code'], 25, doc)
        self.assertEqual(doc['error_response']['msg'], 'Invalid signature', doc)


def main():
    if not URL:
        print('set TOPGATE_URL, e.g. http://127.0.0.1:8080/router/rest', file=sys.stderr)
        print('RESULT passed=0 failed=1')
        return 2
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    for cls in (TestPyTaobaoOpen, TestTaobaoSdkPython3, TestTaobaoSdk, TestStdlibSignMethods):
        suite.addTests(loader.loadTestsFromTestCase(cls))
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    # a failing setUpClass is one error but stands for all of its class's tests: count those
    bad_classes = [t for t, _ in result.errors if type(t).__name__ == '_ErrorHolder']
    for holder in bad_classes:
        name = re.search(r'\((?:__main__\.)?(\w+)\)', holder.description)
        cls = globals().get(name.group(1)) if name else None
        if cls is not None:
            failed += loader.loadTestsFromTestCase(cls).countTestCases() - 1
    passed = result.testsRun - len(result.failures) - len(result.errors) - len(result.skipped) \
        - len(result.unexpectedSuccesses) + len(bad_classes)
    passed = max(passed, 0)
    print('RESULT passed=%d failed=%d' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
