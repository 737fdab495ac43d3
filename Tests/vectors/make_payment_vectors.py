#!/usr/bin/env python3
"""Independent test vectors for the WeChat Pay API v3 and Alipay (RSA2) protocol code.

What it does
    Generates fresh, throw-away RSA-2048 keys (WeChat merchant key, WeChat platform
    key, Alipay application key, Alipay platform key) and a random 32-byte APIv3 key,
    then writes Tests/MallServerTests/Fixtures/payment_vectors.json containing:

    * WeChat request signatures (POST with body, GET with query) and the full
      Authorization header, built from the published "签名生成" rules;
    * a WeChat payment callback and a refund callback: JSON envelope whose
      `resource` is AEAD_AES_256_GCM-encrypted with the APIv3 key, signed with the
      platform key per "签名验证" (callback via the platform *certificate* serial,
      refund via the newer 微信支付公钥 `PUB_KEY_ID_...` serial), plus a tampered copy;
    * a WeChat signed response to the order query API;
    * an Alipay signed request (alipay.trade.page.pay parameters and expected sign);
    * Alipay async notifications (form-urlencoded, Chinese subject with `+`/`%`),
      one good, one with a foreign app_id, one with malformed amount text, all
      validly signed with the Alipay platform key;
    * an Alipay signed alipay.trade.query response whose signed substring contains
      tricky text (braces, quotes, the word "sign", escaped unicode).

    It deliberately shares no code with the Swift implementation: it follows the
    provider documents using the `cryptography` package (pip install cryptography).

CI never runs this script: the generated JSON is committed and the Swift tests read
it. Re-run it by hand only when the vectors need to change:

    python3 Tests/vectors/make_payment_vectors.py
"""

import base64
import datetime
import json
import pathlib
import secrets
import string
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "MallServerTests" / "Fixtures" / "payment_vectors.json"

CHINA = datetime.timezone(datetime.timedelta(hours=8))


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_private_pkcs8(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def pem_private_pkcs1(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def der_private_pkcs1_b64(key):
    # Alipay's key tool shows keys as one bare base64 line, no PEM armour.
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return base64.b64encode(der).decode()


def pem_public(key):
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def der_public_b64(key):
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def rsa2_sign(key, message: bytes) -> str:
    sig = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(sig).decode()


def rsa2_check(key, message: bytes, sig_b64: str):
    key.public_key().verify(base64.b64decode(sig_b64), message, padding.PKCS1v15(), hashes.SHA256())


def nonce(n=32, alphabet=string.ascii_uppercase + string.digits):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def platform_certificate(key):
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tenpay.com (test vector)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA (test vector)"),
        ]
    )
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    serial_hex = format(cert.serial_number, "X")
    return cert.public_bytes(serialization.Encoding.PEM).decode(), serial_hex


# ---------------------------------------------------------------- WeChat Pay v3


def wechat_request_vector(merchant_key, mchid, serial, method, url, ts, nonce_str, body):
    # 签名生成: HTTP method, URL path+query, timestamp, nonce, body, each line ends "\n".
    message = f"{method}\n{url}\n{ts}\n{nonce_str}\n{body}\n"
    signature = rsa2_sign(merchant_key, message.encode())
    authorization = (
        "WECHATPAY2-SHA256-RSA2048 "
        f'mchid="{mchid}",nonce_str="{nonce_str}",signature="{signature}",'
        f'timestamp="{ts}",serial_no="{serial}"'
    )
    return {
        "method": method,
        "url": url,
        "timestamp": ts,
        "nonce": nonce_str,
        "body": body,
        "message": message,
        "signature": signature,
        "authorization": authorization,
    }


def wechat_signed_message(platform_key, serial, ts, body: str):
    # 签名验证: "timestamp\nnonce\nbody\n" signed by the platform key.
    n = nonce()
    sig = rsa2_sign(platform_key, f"{ts}\n{n}\n{body}\n".encode())
    headers = {
        "Wechatpay-Timestamp": str(ts),
        "Wechatpay-Nonce": n,
        "Wechatpay-Signature": sig,
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        "Content-Type": "application/json",
    }
    return headers


def wechat_encrypt(api_v3_key: bytes, plaintext: str, associated_data: str):
    # 回调报文解密: AES-256-GCM, nonce = 12 ASCII chars, ciphertext||tag base64.
    n = nonce(12, string.ascii_letters + string.digits)
    ct = AESGCM(api_v3_key).encrypt(n.encode(), plaintext.encode(), associated_data.encode())
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ct).decode(),
        "nonce": n,
        "associated_data": associated_data,
    }


def build_wechat(merchant_key, platform_key, api_v3_key):
    mchid = "1900000109"
    appid = "wxd678efh567hg6787"
    merchant_serial = "3775B6A45ACD588826D15E583A95F5DD2D4A6A6C"
    cert_pem, cert_serial = platform_certificate(platform_key)
    pub_key_id = "PUB_KEY_ID_0119000001092024010100000000000001"

    native_body = json.dumps(
        {
            "appid": appid,
            "mchid": mchid,
            "description": "ChainMall 订单 CM20240601001",
            "out_trade_no": "CM20240601001",
            "time_expire": "2024-06-01T12:30:00+08:00",
            "notify_url": "https://mall.example.com/pay/wechat/notify",
            "amount": {"total": 8888, "currency": "CNY"},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    post_vector = wechat_request_vector(
        merchant_key, mchid, merchant_serial, "POST", "/v3/pay/transactions/native",
        "1717214400", "593BEC0C930BF1AFEB40B4A08C8FB242", native_body,
    )
    get_vector = wechat_request_vector(
        merchant_key, mchid, merchant_serial, "GET",
        f"/v3/pay/transactions/out-trade-no/CM20240601001?mchid={mchid}",
        "1717214460", "D6F2A0C81E3B4D5F8A7C9E0B1D2F3A4C", "",
    )

    now = 1717215000
    success_time = "2024-06-01T12:09:58+08:00"
    transaction = {
        "mchid": mchid,
        "appid": appid,
        "out_trade_no": "CM20240601001",
        "transaction_id": "4200002024060112345678901234",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "attach": "",
        "success_time": success_time,
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": 8888, "payer_total": 8800, "currency": "CNY", "payer_currency": "CNY"},
    }
    resource = wechat_encrypt(api_v3_key, json.dumps(transaction, ensure_ascii=False), "transaction")
    resource["original_type"] = "transaction"
    payment_body = json.dumps(
        {
            "id": "EV-2018022511223320873",
            "create_time": "2024-06-01T12:10:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": resource,
        },
        ensure_ascii=False,
    )
    payment_headers = wechat_signed_message(platform_key, cert_serial, now - 30, payment_body)
    tampered_body = payment_body.replace("EV-2018022511223320873", "EV-2018022511223320874")
    assert tampered_body != payment_body

    refund = {
        "mchid": mchid,
        "out_trade_no": "CM20240601001",
        "transaction_id": "4200002024060112345678901234",
        "out_refund_no": "RF20240601001",
        "refund_id": "50000000382019052709732678859",
        "refund_status": "SUCCESS",
        "success_time": "2024-06-01T13:00:05+08:00",
        "user_received_account": "招商银行信用卡0403",
        "amount": {"total": 8888, "refund": 1888, "payer_total": 8800, "payer_refund": 1800},
    }
    refund_resource = wechat_encrypt(api_v3_key, json.dumps(refund, ensure_ascii=False), "refund")
    refund_resource["original_type"] = "refund"
    refund_body = json.dumps(
        {
            "id": "EV-2018022511223320999",
            "create_time": "2024-06-01T13:00:06+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "REFUND.SUCCESS",
            "summary": "退款成功",
            "resource": refund_resource,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    refund_headers = wechat_signed_message(platform_key, pub_key_id, now - 10, refund_body)

    query_body = json.dumps(
        {
            "amount": {"currency": "CNY", "payer_currency": "CNY", "payer_total": 8800, "total": 8888},
            "appid": appid,
            "mchid": mchid,
            "out_trade_no": "CM20240601001",
            "transaction_id": "4200002024060112345678901234",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "trade_type": "NATIVE",
            "success_time": success_time,
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    query_headers = wechat_signed_message(platform_key, cert_serial, now, query_body)

    # Self-check with the public halves before writing anything.
    for body, hdr in ((payment_body, payment_headers), (refund_body, refund_headers), (query_body, query_headers)):
        msg = f"{hdr['Wechatpay-Timestamp']}\n{hdr['Wechatpay-Nonce']}\n{body}\n".encode()
        rsa2_check(platform_key, msg, hdr["Wechatpay-Signature"])
    rsa2_check(merchant_key, post_vector["message"].encode(), post_vector["signature"])

    success_unix = int(datetime.datetime.fromisoformat(success_time).timestamp())
    return {
        "mchid": mchid,
        "appid": appid,
        "merchant_serial": merchant_serial,
        "api_v3_key": api_v3_key.decode(),
        "merchant_private_key_pkcs8": pem_private_pkcs8(merchant_key),
        "merchant_private_key_pkcs1": pem_private_pkcs1(merchant_key),
        "merchant_public_key": pem_public(merchant_key),
        "platform_certificate": cert_pem,
        "platform_certificate_serial": cert_serial,
        "platform_public_key": pem_public(platform_key),
        "platform_public_key_id": pub_key_id,
        "request_post": post_vector,
        "request_get": get_vector,
        "now": now,
        "payment_callback": {
            "headers": payment_headers,
            "body": payment_body,
            "expected": {
                "id": "EV-2018022511223320873",
                "event_type": "TRANSACTION.SUCCESS",
                "out_trade_no": "CM20240601001",
                "transaction_id": "4200002024060112345678901234",
                "trade_state": "SUCCESS",
                "success_time_unix": success_unix,
                "total": 8888,
                "payer_total": 8800,
                "currency": "CNY",
            },
        },
        "payment_callback_tampered": {"headers": payment_headers, "body": tampered_body},
        "refund_callback": {
            "headers": refund_headers,
            "body": refund_body,
            "expected": {
                "id": "EV-2018022511223320999",
                "event_type": "REFUND.SUCCESS",
                "out_trade_no": "CM20240601001",
                "out_refund_no": "RF20240601001",
                "refund_id": "50000000382019052709732678859",
                "refund_status": "SUCCESS",
                "total": 8888,
                "refund": 1888,
                "success_time_unix": int(datetime.datetime.fromisoformat("2024-06-01T13:00:05+08:00").timestamp()),
            },
        },
        "query_response": {
            "status": 200,
            "headers": query_headers,
            "body": query_body,
            "expected_url": f"https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/CM20240601001?mchid={mchid}",
            "expected": {
                "out_trade_no": "CM20240601001",
                "transaction_id": "4200002024060112345678901234",
                "total": 8888,
                "success_time_unix": success_unix,
            },
        },
    }


# ---------------------------------------------------------------- Alipay


def alipay_sign_content(params: dict, exclude) -> str:
    # 签名/验签: drop excluded keys and empty values, sort by key, raw k=v joined by '&'.
    items = sorted((k, v) for k, v in params.items() if k not in exclude and v != "")
    return "&".join(f"{k}={v}" for k, v in items)


def alipay_notification(platform_key, fields: dict) -> str:
    params = dict(fields)
    params["sign_type"] = "RSA2"
    content = alipay_sign_content(params, {"sign", "sign_type"})
    params["sign"] = rsa2_sign(platform_key, content.encode())
    # application/x-www-form-urlencoded as a servlet container would send it:
    # spaces become '+', a literal '+' becomes %2B, '%' becomes %25.
    return urllib.parse.urlencode(params, encoding="utf-8")


def build_alipay(app_key, platform_key):
    app_id = "2021000123456789"
    seller_id = "2088102146225135"
    notify_url = "https://mall.example.com/pay/alipay/notify"
    return_url = "https://mall.example.com/orders/CM20240601002?from=alipay"

    biz = {
        "out_trade_no": "CM20240601002",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        "subject": "ChainMall 订单 A+B/100%",
        "time_expire": "2024-06-01 12:30:00",
        "total_amount": "88.88",
    }
    biz_content = json.dumps(biz, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    params = {
        "app_id": app_id,
        "method": "alipay.trade.page.pay",
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": "2024-06-01 12:00:00",
        "version": "1.0",
        "notify_url": notify_url,
        "return_url": return_url,
        "biz_content": biz_content,
    }
    # Request signing keeps sign_type (only notification verification drops it).
    content = alipay_sign_content(params, {"sign"})
    sign = rsa2_sign(app_key, content.encode())

    notify_fields = {
        "gmt_create": "2024-06-01 12:05:10",
        "charset": "utf-8",
        "seller_email": "shop@example.com",
        "subject": "ChainMall 订单 A+B 100% 满意",
        "body": "含 空格 & 符号=等号",
        "buyer_id": "2088102177846880",
        "invoice_amount": "88.88",
        "notify_id": "2024060100222120512006880500000001",
        "fund_bill_list": '[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]',
        "notify_type": "trade_status_sync",
        "trade_status": "TRADE_SUCCESS",
        "receipt_amount": "88.88",
        "buyer_pay_amount": "88.88",
        "app_id": app_id,
        "notify_time": "2024-06-01 12:05:12",
        "point_amount": "0.00",
        "total_amount": "88.88",
        "seller_id": seller_id,
        "trade_no": "2024060122001446880500000001",
        "auth_app_id": app_id,
        "gmt_payment": "2024-06-01 12:05:11",
        "out_trade_no": "CM20240601002",
        "version": "1.0",
        "passback_params": "",
    }
    notification = alipay_notification(platform_key, notify_fields)
    wrong_app = alipay_notification(platform_key, {**notify_fields, "app_id": "2021000999999999", "auth_app_id": "2021000999999999"})
    bad_amount = alipay_notification(platform_key, {**notify_fields, "total_amount": "88.888"})
    # Tampered: the amount changed after signing.
    tampered = notification.replace("total_amount=88.88", "total_amount=0.01")
    assert tampered != notification

    query_inner = {
        "code": "10000",
        "msg": "Success",
        "buyer_logon_id": "159****5620",
        "buyer_pay_amount": "88.88",
        "out_trade_no": "CM20240601002",
        "send_pay_date": "2024-06-01 12:05:11",
        "total_amount": "88.88",
        "trade_no": "2024060122001446880500000001",
        "trade_status": "TRADE_SUCCESS",
        "subject": '套餐 {"sign":"x"} \\ 结束}',
    }
    # ensure_ascii=True gives \uXXXX escapes: the signed text is what is on the
    # wire, so a verifier that re-serialises would get different bytes.
    inner_text = json.dumps(query_inner, ensure_ascii=True, separators=(",", ":"))
    query_sign = rsa2_sign(platform_key, inner_text.encode())
    query_body = '{"alipay_trade_query_response":' + inner_text + ',"sign":"' + query_sign + '"}'

    rsa2_check(app_key, content.encode(), sign)
    rsa2_check(platform_key, inner_text.encode(), query_sign)

    return {
        "app_id": app_id,
        "seller_id": seller_id,
        "notify_url": notify_url,
        "return_url": return_url,
        "app_private_key_pkcs8": pem_private_pkcs8(app_key),
        "app_private_key_pkcs1_base64": der_private_pkcs1_b64(app_key),
        "app_public_key": pem_public(app_key),
        "alipay_public_key": pem_public(platform_key),
        "alipay_public_key_base64": der_public_b64(platform_key),
        "page_pay": {
            "inputs": {
                "out_trade_no": "CM20240601002",
                "amount_fen": 8888,
                "subject": biz["subject"],
                "time_expire_unix": int(datetime.datetime(2024, 6, 1, 12, 30, 0, tzinfo=CHINA).timestamp()),
                "timestamp_unix": int(datetime.datetime(2024, 6, 1, 12, 0, 0, tzinfo=CHINA).timestamp()),
            },
            "params": params,
            "string_to_sign": content,
            "sign": sign,
        },
        "notification": {
            "body": notification,
            "expected": {
                "out_trade_no": "CM20240601002",
                "trade_no": "2024060122001446880500000001",
                "trade_status": "TRADE_SUCCESS",
                "total_fen": 8888,
                "subject": notify_fields["subject"],
                "body": notify_fields["body"],
                "gmt_payment_unix": int(datetime.datetime(2024, 6, 1, 12, 5, 11, tzinfo=CHINA).timestamp()),
            },
        },
        "notification_tampered": {"body": tampered},
        "notification_wrong_app_id": {"body": wrong_app},
        "notification_bad_amount": {"body": bad_amount},
        "query_response": {
            "body": query_body,
            "signed_text": inner_text,
            "expected": {
                "out_trade_no": "CM20240601002",
                "trade_no": "2024060122001446880500000001",
                "total_fen": 8888,
                "send_pay_date_unix": int(datetime.datetime(2024, 6, 1, 12, 5, 11, tzinfo=CHINA).timestamp()),
            },
        },
    }


def main():
    merchant_key, platform_key = new_key(), new_key()
    app_key, alipay_key = new_key(), new_key()
    # The APIv3 key is a 32-character ASCII string set in the merchant portal.
    api_v3_key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32)).encode()

    vectors = {
        "comment": "Generated by vectors/make_payment_vectors.py; throw-away keys, test use only.",
        "wechat": build_wechat(merchant_key, platform_key, api_v3_key),
        "alipay": build_alipay(app_key, alipay_key),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(vectors, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
