#!/usr/bin/env python3
"""Writes a realistic Maildir for benchmarks: the mail one person keeps
over several years, received and sent, as mbsync lays it out.

    bench/gen_maildir.py DIR [--messages 100000] [--seed 1] [--me grace@example.com]

Deterministic for a given seed and size. What it holds:
- about 3,000 correspondents at 400 organisations (a few big, most small),
  each with a circle of people they write with;
- threads of 1 to 12 messages over 2019-2026: the user and one to four
  others, replies with In-Reply-To and References, To and Cc;
- about 30% sent by the user (the archive keeps the sent mail too);
- newsletters and notifications one way only (about 12%);
- out-of-office auto-replies (Auto-Submitted: auto-replied, about 2%);
- attachments (base64, 8-64 KB) on about 4% of messages;
- the last few hundred messages unread in new/, the rest in cur/ with flags.

Prints, on stdout, a well-connected address and domain to ask about:
    target=ADDRESS
    domain=@DOMAIN
"""

import argparse
import base64
import os
import random
import sys
from datetime import datetime, timedelta, timezone

FIRST = ("Ada Alan Barbara Claude Dennis Edsger Frances Grace Hedy Ivan John Ken Linus "
         "Margaret Niklaus Ole Peter Radia Sophie Tim Ursula Vint Whitfield Xavier Yukihiro "
         "Zoe Amir Bea Chen Dara Elif Farid Gita Hana Ines Jonas Kofi Lena Mateo Nia Omar "
         "Priya Quinn Rosa Sami Tara Umar Vera Wen Yara").split()
LAST = ("Lovelace Turing Liskov Shannon Ritchie Dijkstra Allen Hopper Lamarr Sutherland "
        "Backus Thompson Torvalds Hamilton Wirth Dahl Naur Perlman Wilson Berners-Lee Franklin "
        "Cerf Diffie Leroy Matsumoto Park Ng Okafor Silva Novak Haddad Kaur Moreau Rossi "
        "Schmidt Tanaka Ivanova Mensah Lindqvist Costa Nakamura Petrov Dubois Jensen").split()
WORDS = ("acme globex initech umbrella hooli stark wayne cyberdyne tyrell soylent vandelay "
         "wonka oscorp massive aperture black mesa gringotts monarch dunder nakatomi "
         "abstergo weyland blue sun virtucon pied piper").split()
TLDS = ["com", "org", "io", "net", "co.uk", "de"]
SUBJECTS = ("quarterly plan|hiring for the platform team|intro to the payments folks|"
            "coffee next week?|draft for review|the offsite|board deck|contract renewal|"
            "conference talk|paper comments|customer escalation|roadmap|budget|"
            "question about the API|dinner on Thursday|advice on fundraising|"
            "notes from today's call|launch checklist|security review|onboarding").split("|")
BODY = ("Thanks for sending this over. I read it on the train and have a few thoughts, "
        "mostly about the timeline and who should own the next step. Could we talk "
        "tomorrow? I am free after lunch. Happy to go either way on the format.\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir")
    p.add_argument("--messages", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--me", default="grace@example.com")
    args = p.parse_args()
    rng = random.Random(args.seed)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(args.dir, sub), exist_ok=True)

    orgs = []
    for i in range(400):
        name = f"{rng.choice(WORDS)}{i}"
        orgs.append(f"{name}.{rng.choice(TLDS)}")
    people = []
    for i in range(3000):
        # A few big organisations, most small (Zipf-like).
        org = orgs[min(int(rng.paretovariate(1.2)) - 1, len(orgs) - 1) if rng.random() < 0.6
                   else rng.randrange(len(orgs))]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{i}@{org}"
        people.append((f"{first} {last}", email, org))
    # Each person's circle: colleagues and a few outside friends.
    by_org = {}
    for idx, (_, _, org) in enumerate(people):
        by_org.setdefault(org, []).append(idx)
    circles = []
    for idx, (_, _, org) in enumerate(people):
        mates = [j for j in by_org[org] if j != idx][:8]
        friends = [rng.randrange(len(people)) for _ in range(rng.randint(2, 6))]
        circles.append(mates + friends)
    # How often the user writes with each: a few close people, many rare.
    weights = [rng.paretovariate(1.0) for _ in people]
    senders = [f"news@{orgs[i]}" for i in range(0, 40)]
    me_name = "Grace Hopper"

    start = datetime(2019, 1, 1, tzinfo=timezone.utc)
    span = (datetime(2026, 11, 30, tzinfo=timezone.utc) - start).total_seconds()
    messages = []  # (time, bytes)
    n_id = 0

    def mid():
        nonlocal n_id
        n_id += 1
        return f"<m{n_id}.{rng.getrandbits(32):08x}@mail.example.net>"

    def addr(name, email):
        return f'"{name}" <{email}>' if "," in name else f"{name} <{email}>"

    def message(t, frm, to, cc, subject, msg_id, parents, extra="", attach=False):
        h = [f"Return-Path: <{frm[1]}>",
             f"Received: from mx.example.net by imap.example.net; {t.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
             f"From: {addr(*frm)}",
             "To: " + ", ".join(addr(*x) for x in to)]
        if cc:
            h.append("Cc: " + ", ".join(addr(*x) for x in cc))
        h += [f"Subject: {subject}",
              f"Date: {t.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
              f"Message-ID: {msg_id}", "MIME-Version: 1.0"]
        if parents:
            h.append(f"In-Reply-To: {parents[-1]}")
            h.append("References: " + " ".join(parents[-10:]))
        if extra:
            h.append(extra)
        if attach:
            blob = base64.encodebytes(rng.randbytes(rng.randint(8, 64) * 1024)).decode()
            h.append('Content-Type: multipart/mixed; boundary="b0"')
            body = (f"--b0\nContent-Type: text/plain; charset=utf-8\n\n{BODY}\n"
                    f"--b0\nContent-Type: application/pdf; name=doc.pdf\n"
                    f"Content-Transfer-Encoding: base64\n\n{blob}--b0--\n")
        else:
            h.append("Content-Type: text/plain; charset=utf-8")
            body = BODY * rng.randint(1, 4)
        return ("\n".join(h) + "\n\n" + body).encode()

    me = (me_name, args.me)
    while len(messages) < args.messages:
        t = start + timedelta(seconds=rng.random() * span)
        r = rng.random()
        if r < 0.12:
            s = rng.choice(senders)
            messages.append((t, message(t, ("Newsletter", s), [me], [], "This week", mid(), [])))
            continue
        lead = rng.choices(range(len(people)), weights=weights)[0]
        others = [lead] + rng.sample(circles[lead], k=min(len(circles[lead]), rng.randint(0, 3)))
        others = list(dict.fromkeys(others))
        cast = [me] + [people[i][:2] for i in others]
        subject = rng.choice(SUBJECTS)
        parents = []
        author = 0 if rng.random() < 0.4 else 1
        for k in range(rng.randint(1, 12)):
            if len(messages) >= args.messages:
                break
            frm = cast[author]
            rest = [c for c in cast if c != frm]
            to, cc = rest[:1], rest[1:]
            if frm != me and me not in to + cc:
                cc.append(me)
            msg_id = mid()
            auto = frm != me and k > 0 and rng.random() < 0.03
            extra = "Auto-Submitted: auto-replied" if auto else ""
            subj = ("Out of office: " if auto else ("Re: " if k else "")) + subject
            messages.append((t, message(t, frm, to, cc, subj, msg_id, parents, extra,
                                        attach=rng.random() < 0.04)))
            parents.append(msg_id)
            t += timedelta(minutes=rng.randint(5, 60 * 72))
            # Mostly answered by someone else than the last author.
            author = rng.choice([i for i in range(len(cast)) if i != author]) if len(cast) > 1 else 0

    messages.sort(key=lambda m: m[0])
    unread = 300
    for n, (t, raw) in enumerate(messages):
        ts = int(t.timestamp())
        name = f"{ts}.{n}_{n % 97}.bench,U={n + 1}"
        if n >= len(messages) - unread:
            path = os.path.join(args.dir, "new", name)
        else:
            flags = "RS" if rng.random() < 0.3 else "S"
            path = os.path.join(args.dir, "cur", f"{name}:2,{flags}")
        with open(path, "wb") as f:
            f.write(raw)
        os.utime(path, (ts, ts))
    # The person the user writes with most, and that person's domain.
    counts = {}
    for i in range(len(people)):
        counts[i] = weights[i]
    best = max(counts, key=counts.get)
    print(f"target={people[best][1]}")
    print(f"domain=@{people[best][2]}")


if __name__ == "__main__":
    sys.exit(main())
