#!/usr/bin/env python3
"""Checks the portal's publicity log without trusting the portal: Python 3's standard library only.

    python3 verify-publicity.py https://portal.example roster 510999101 510999101201 12345
    python3 verify-publicity.py https://portal.example log

`roster TOWNSHIP VILLAGE ROSTER` checks that a roster's publication is in the signed log, and that
the village's page shows what the log recorded. `log` downloads every entry and recomputes the
tree. Both check the newest signed tree head's Ed25519 signature first.

  --key HEX     the log's public key as you know it from elsewhere (a notice, a newspaper, an
                earlier visit); without it the key the portal names is used, and printed.
  --heads FILE  heads you kept from earlier runs (JSON list): the log must extend each of them
                (consistency proof); the current head is added to the file.

Exit status 0 when everything holds, 1 when something does not (each failure is printed).
The log's format: the portal's README, "The publicity log".
"""

import argparse
import hashlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

# --- Ed25519 verification (RFC 8032, section 5.1.7) ---

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, point):
    result = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _same(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _x_of(y, sign):
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    return P - x if (x & 1) != sign else x


def _point(data):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    x = _x_of(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


_BY = 4 * pow(5, P - 2, P) % P
BASE = (_x_of(_BY, 0), _BY, 1, _x_of(_BY, 0) * _BY % P)


def ed25519_verify(public_key, message, signature):
    if len(signature) != 64:
        return False
    a, r = _point(public_key), _point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % L
    return _same(_mul(s, BASE), _add(r, _mul(k, a)))


# --- The Merkle tree (RFC 9162, section 2.1) ---


def leaf_hash(entry_bytes):
    return hashlib.sha256(b"\x00" + entry_bytes).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def tree_root(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(tree_root(leaves[:k]), tree_root(leaves[k:]))


def verify_inclusion(index, size, leaf, path, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    if first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# --- Talking to the portal ---


class Check:
    def __init__(self):
        self.failures = 0

    def ok(self, text):
        print("通过  " + text)

    def fail(self, text):
        self.failures += 1
        print("不符  " + text)


def get(base, path, **query):
    url = base.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.load(answer)


def signed_message(head):
    return "portal-publicity-log/v1\n{}\n{}\n{}\n".format(
        head["tree_size"], head["signed_at"], head["root_hash"]
    ).encode()


def check_head(check, head, key):
    if key and head["public_key"] != key:
        check.fail("树头的公钥 {} 不是您给出的 {}".format(head["public_key"], key))
        return False
    good = ed25519_verify(
        bytes.fromhex(head["public_key"]), signed_message(head), bytes.fromhex(head["signature"])
    )
    if not good:
        check.fail("{} 签署的树头签名无效".format(head["signed_at"]))
        return False
    check.ok("{} 签署的树头签名有效：{} 条，根哈希 {}".format(head["signed_at"], head["tree_size"], head["root_hash"]))
    return True


def check_kept_heads(check, base, head, key, path):
    try:
        with open(path, encoding="utf-8") as f:
            kept = json.load(f)
    except FileNotFoundError:
        kept = []
    for old in kept:
        if not check_head(check, old, key):
            continue
        if old["tree_size"] > head["tree_size"]:
            check.fail("您保存的树头有 {} 条，现在的日志只有 {} 条".format(old["tree_size"], head["tree_size"]))
            continue
        if old["tree_size"] == 0:
            continue
        proof = get(base, "/api/v1/log/proof/consistency", first=old["tree_size"], second=head["tree_size"])
        good = verify_consistency(
            old["tree_size"],
            head["tree_size"],
            bytes.fromhex(old["root_hash"]),
            bytes.fromhex(head["root_hash"]),
            [bytes.fromhex(h) for h in proof["proof"]],
        )
        if good:
            check.ok("现在的日志是 {} 那时（{} 条）的延续，之前的记录未被改动".format(old["signed_at"], old["tree_size"]))
        else:
            check.fail("现在的日志与 {} 签署的树头（{} 条）不一致：之前的记录被改过".format(old["signed_at"], old["tree_size"]))
    if all(k["signature"] != head["signature"] for k in kept):
        kept.append(head)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(kept, f, ensure_ascii=False, indent=1)


def check_roster(check, base, head, township, village, roster):
    entries = get(base, "/api/v1/log/rosters/{}".format(roster))
    if any(e["entry"] is None for e in entries):
        check.fail("清册 {} 已超过公开期限，日志只保留它的哈希，无法与页面核对".format(roster))
        return
    for e in entries:
        leaf = leaf_hash(e["entry"].encode("utf-8"))
        if leaf.hex() != e["leaf_hash"]:
            check.fail("日志第 {} 条的内容与它的哈希不符".format(e["leaf_index"]))
            continue
        if e["leaf_index"] >= head["tree_size"]:
            continue
        proof = get(base, "/api/v1/log/proof/inclusion", index=e["leaf_index"], tree_size=head["tree_size"])
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        if verify_inclusion(e["leaf_index"], head["tree_size"], leaf, path, bytes.fromhex(head["root_hash"])):
            check.ok("日志第 {} 条（{}，{}）在签名的日志中".format(e["leaf_index"], e["kind"], e["at"]))
        else:
            check.fail("日志第 {} 条不在签名的日志中".format(e["leaf_index"]))
    if not entries:
        check.fail("清册 {} 没有日志记录".format(roster))
        return
    logged = json.loads(entries[-1]["entry"])
    page = get(base, "/api/v1/publicity/{}/{}/{}".format(township, village, roster))
    shown = [
        (l["name_masked"], l["id_masked"], l["recipient_name_masked"], l["amount"], l["status"])
        for l in page["lines"]
    ]
    recorded = [
        (l["name"], l["id"], l["recipient"], l["amount_fen"], l["status"])
        for l in logged["lines"]
        if l["village_code"] == village
    ]
    if shown == recorded:
        check.ok("公示页面的 {} 行与日志第 {} 条记录的一致".format(len(shown), entries[-1]["leaf_index"]))
    else:
        check.fail("公示页面与日志第 {} 条记录的不一致".format(entries[-1]["leaf_index"]))
        for i, (a, b) in enumerate(zip(recorded, shown)):
            if a != b:
                print("      第 {} 行：日志 {}，页面 {}".format(i + 1, a, b))
        if len(recorded) != len(shown):
            print("      日志 {} 行，页面 {} 行".format(len(recorded), len(shown)))
    # Lines publicised at township level (small cells) are counts only, on page and in entry alike.
    logged_cells = logged.get("summarised")
    page_cells = page.get("summarised")
    if logged_cells or page_cells:
        same = (logged_cells and page_cells
                and (logged_cells["line_count"], logged_cells["total_fen"], logged_cells["paid_fen"])
                == (page_cells["lines"], page_cells["planned"], page_cells["amount"]))
        if same:
            check.ok("按乡镇汇总公示的 {} 人与日志记录的一致".format(logged_cells["line_count"]))
        else:
            check.fail("按乡镇汇总公示的人数或金额与日志第 {} 条记录的不一致".format(entries[-1]["leaf_index"]))
    dates = ["publicity_start", "publicity_end", "paid_on", "payout_publicised_on"]
    if any(page["roster"][d] != logged[d] for d in dates):
        check.fail("公示页面的日期与日志记录的不一致")


def check_log(check, base, head):
    leaves = []
    withheld = 0
    while len(leaves) < head["tree_size"]:
        batch = get(base, "/api/v1/log/entries", start=len(leaves), end=head["tree_size"] - 1)
        if not batch:
            break
        for e in batch:
            if e["leaf_index"] != len(leaves):
                check.fail("日志缺少第 {} 条".format(len(leaves)))
                return
            if e["entry"] is None:
                # Past the public years the portal serves an entry's hash alone: it still counts
                # towards the root, though its text can no longer be read.
                withheld += 1
                leaves.append(bytes.fromhex(e["leaf_hash"]))
            else:
                leaves.append(leaf_hash(e["entry"].encode("utf-8")))
    if withheld:
        print("  （其中 {} 条已超过公开期限，只有哈希）".format(withheld))
    if len(leaves) != head["tree_size"]:
        check.fail("树头有 {} 条，下载到 {} 条".format(head["tree_size"], len(leaves)))
    elif tree_root(leaves) == bytes.fromhex(head["root_hash"]):
        check.ok("下载的 {} 条记录算出的根哈希与签名的树头相同".format(len(leaves)))
    else:
        check.fail("下载的 {} 条记录算出的根哈希与签名的树头不同".format(len(leaves)))


def main():
    parser = argparse.ArgumentParser(description="核对公示日志（只需 Python 标准库）")
    parser.add_argument("base", help="平台地址，如 https://portal.example")
    parser.add_argument("what", choices=["roster", "log"])
    parser.add_argument("place", nargs="*", help="roster 时：乡镇代码 村代码 清册号")
    parser.add_argument("--key", help="日志公钥（64位十六进制）")
    parser.add_argument("--heads", help="保存树头的文件")
    args = parser.parse_args()
    if args.what == "roster" and len(args.place) != 3:
        parser.error("roster 需要：乡镇代码 村代码 清册号")
    check = Check()
    try:
        head = get(args.base, "/api/v1/log/head")
        if not args.key:
            print("日志公钥（请与其他来源核对）：" + head["public_key"])
        if check_head(check, head, args.key):
            if args.heads:
                check_kept_heads(check, args.base, head, args.key, args.heads)
            if args.what == "roster":
                check_roster(check, args.base, head, *args.place)
            else:
                check_log(check, args.base, head)
    except urllib.error.HTTPError as e:
        print("平台答复 {}：{}（地址或清册号是否有误？）".format(e.code, e.url))
        return 2
    except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
        print("无法完成核对：{}".format(e))
        return 2
    print("全部通过" if check.failures == 0 else "有 {} 处不符".format(check.failures))
    return 0 if check.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
