#!/usr/bin/python3
"""SMTP server for intro's integration tests (aiosmtpd, 127.0.0.1 only).

Accepts mail like a real submission server (optional STARTTLS or implicit
TLS, optional AUTH PLAIN/LOGIN) and stores every accepted message in a
Maildir, so tests can check exactly what was sent and to whom. It can also
hand each message to Dovecot over LMTP so it becomes readable over IMAP, and
inject the faults a real server produces: rejected or temporarily failed
recipients, a dropped connection, a hung server, a failed DATA.

Stored files are named by accept order (000001.*, 000002.*, ...) and start
with the envelope, which the message itself does not carry:
    X-Envelope-From: <sender>
    X-Envelope-To: <recipient>          (one line per envelope recipient)
followed by the message exactly as received (CRLF line endings).

Run with Debian's /usr/bin/python3 (python3-aiosmtpd). Prints nothing on
stdout; the port is written to --port-file once the server is listening.
"""

import argparse
import asyncio
import functools
import logging
import os
import signal
import smtplib
import ssl
import sys
import warnings
import weakref

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

log = logging.getLogger("smtp-test-server")


class Faults:
    """Fault-injection state shared by every connection of this server.

    Faults trigger on the server-wide count of accepted messages, so a client
    that reconnects after a fault sees the same server state it would see on
    a real server. Each fault is one-shot unless made persistent.
    """

    def __init__(self, args):
        self.args = args
        self.accepted = 0
        self.fired = set()

    def due(self, name, after, persist):
        """True if fault `name` should fire now (and records that it did)."""
        if after is None or self.accepted < after:
            return False
        if name in self.fired and not persist:
            return False
        self.fired.add(name)
        return True


class Handler:
    """aiosmtpd handler hooks: recipient policy, faults and storage."""

    def __init__(self, args, faults):
        self.args = args
        self.faults = faults
        self.reject = {a.lower() for a in args.reject_rcpt}
        self.tempfail = {a.lower() for a in args.tempfail_rcpt}
        self.maildir = args.maildir
        for sub in ("tmp", "new", "cur"):
            # mailbox.Maildir(create=True) skips these for an existing folder,
            # so create them explicitly.
            os.makedirs(os.path.join(self.maildir, sub), exist_ok=True)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.args.pipelining:
            # aiosmtpd reads commands one by one from a buffered stream, so
            # pipelined groups already work; it only has to be advertised.
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            log.info("RCPT %s rejected (550)", address)
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address.lower() in self.tempfail:
            log.info("RCPT %s temporarily rejected (451)", address)
            return f"451 4.3.0 <{address}>: Recipient address rejected: Try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        a = self.args
        f = self.faults
        if f.due("drop", a.drop_after, a.drop_persist):
            log.info("fault: dropping connection at end of DATA (after %d accepted)",
                     f.accepted)
            server.transport.abort()
            # Never reply: connection_lost() cancels this coroutine.
            await asyncio.Future()
        if f.due("fail-data", a.fail_data_after, a.fail_data_persist):
            code = a.fail_data_code
            log.info("fault: failing DATA with %d (after %d accepted)", code, f.accepted)
            enhanced = "4.3.0" if code < 500 else "5.3.0"
            return f"{code} {enhanced} Message refused (injected test fault)"

        content = envelope.original_content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from or ""
        rcpts = list(envelope.rcpt_tos)

        if a.lmtp:
            try:
                await asyncio.get_running_loop().run_in_executor(
                    None, lmtp_deliver, a.lmtp, mail_from, rcpts, content)
            except Exception as e:  # noqa: BLE001 - any failure is a tempfail
                log.error("LMTP delivery failed: %r", e)
                return "451 4.3.0 Local delivery failed, try again later"

        # Accept order decides the name, so sorting names sorts by arrival.
        f.accepted += 1
        seq = f.accepted
        name = f"{seq:06d}.P{os.getpid()}.intro-test"
        head = f"X-Envelope-From: {mail_from}\r\n"
        head += "".join(f"X-Envelope-To: {r}\r\n" for r in rcpts)
        tmp = os.path.join(self.maildir, "tmp", name)
        with open(tmp, "wb") as fh:
            fh.write(head.encode("utf-8", "surrogateescape"))
            fh.write(content)
        # Rename only once complete, and before answering 250: a test that
        # saw "250" may read the message at once.
        os.rename(tmp, os.path.join(self.maildir, "new", name))
        log.info("accepted message %d from <%s> to %s", seq, mail_from, rcpts)
        return f"250 2.0.0 OK queued as {seq:06d}"


def lmtp_deliver(socket_path, mail_from, rcpts, content):
    """Deliver one message to Dovecot over LMTP (blocking; run in a thread).

    LMTP answers DATA once per accepted recipient; smtplib.LMTP.sendmail
    reads only the first of those answers, so the dialogue is driven by hand.
    Recipients Dovecot does not know are skipped: the SMTP side has already
    accepted them, as a relay would.
    """
    with smtplib.LMTP(socket_path, timeout=10) as conn:
        code, msg = conn.ehlo("localhost")  # smtplib.LMTP sends LHLO here
        if code != 250:
            raise RuntimeError(f"LHLO: {code} {msg!r}")
        code, msg = conn.mail(mail_from)
        if code != 250:
            raise RuntimeError(f"MAIL: {code} {msg!r}")
        accepted = []
        for r in rcpts:
            code, msg = conn.rcpt(r)
            if code == 250:
                accepted.append(r)
            else:
                log.info("LMTP skipped <%s>: %d %r", r, code, msg)
        if not accepted:
            conn.rset()
            return
        code, msg = conn.data(content)
        replies = [(code, msg)] + [conn.getreply() for _ in accepted[1:]]
        for r, (code, msg) in zip(accepted, replies):
            if code != 250:
                raise RuntimeError(f"LMTP DATA for <{r}>: {code} {msg!r}")


class Authenticator:
    def __init__(self, users):
        self.users = users

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = False
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode("utf-8", "replace")
            ok = self.users.get(user) == auth_data.password.decode("utf-8", "replace")
            log.info("AUTH %s as %r: %s", mechanism, user, "ok" if ok else "failed")
        if not ok:
            # handled=False makes aiosmtpd answer 535 itself; the default
            # (handled=True) would leave the client waiting for a reply.
            return AuthResult(success=False, handled=False)
        # aiosmtpd records the login only when auth_data is returned.
        return AuthResult(success=True, auth_data=auth_data)


class TestSMTP(SMTP):
    """aiosmtpd's SMTP with a "server hangs" fault checked before every command."""

    def __init__(self, handler, faults, **kw):
        self._faults = faults
        super().__init__(handler, **kw)

    async def _maybe_stall(self):
        a = self._faults.args
        if self._faults.due("stall", a.stall_after, a.stall_persist):
            log.info("fault: stalling (after %d accepted)", self._faults.accepted)
            # Hold the connection open without answering until the client
            # gives up (connection_lost() cancels us) or the server stops.
            await asyncio.Future()


def _stalling(method):
    @functools.wraps(method)  # keeps the @syntax metadata HELP relies on
    async def wrapper(self, arg):
        await self._maybe_stall()
        return await method(self, arg)
    return wrapper


# aiosmtpd dispatches every command to an smtp_<VERB> method, so wrapping all
# of them makes the stall apply to whichever command comes next.
for _name in [n for n in dir(SMTP) if n.startswith("smtp_")]:
    setattr(TestSMTP, _name, _stalling(getattr(SMTP, _name)))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port-file", required=True,
                   help="write the listening port here once ready")
    p.add_argument("--port", type=int, default=0, help="default: any free port")
    p.add_argument("--security", choices=["none", "starttls", "tls"], default="none",
                   help="starttls: STARTTLS offered and required before MAIL/AUTH; "
                        "tls: implicit TLS from the first byte")
    p.add_argument("--cert", help="server certificate (PEM), for starttls/tls")
    p.add_argument("--key", help="server key (PEM), for starttls/tls")
    p.add_argument("--auth", action="append", default=[], metavar="USER:PASS",
                   help="require AUTH PLAIN/LOGIN as this user (repeatable); "
                        "without it no AUTH is offered")
    p.add_argument("--maildir", required=True, help="store accepted messages here")
    p.add_argument("--lmtp", metavar="SOCKET",
                   help="also deliver each message to Dovecot via this LMTP socket")
    p.add_argument("--reject-rcpt", action="append", default=[], metavar="ADDR",
                   help="answer RCPT TO:<ADDR> with 550 (repeatable)")
    p.add_argument("--tempfail-rcpt", action="append", default=[], metavar="ADDR",
                   help="answer RCPT TO:<ADDR> with 451 (repeatable)")
    p.add_argument("--drop-after", type=int, metavar="K",
                   help="after K accepted messages, drop the connection at the end "
                        "of the next DATA, without storing or answering")
    p.add_argument("--drop-persist", action="store_true",
                   help="drop every later message too, not just the next one")
    p.add_argument("--stall-after", type=int, metavar="K",
                   help="after K accepted messages, never answer the next command "
                        "(connection held open)")
    p.add_argument("--stall-persist", action="store_true",
                   help="stall on every later command too, on any connection")
    p.add_argument("--fail-data-after", type=int, metavar="K",
                   help="after K accepted messages, refuse the next message "
                        "at end of DATA with --fail-data-code")
    p.add_argument("--fail-data-code", type=int, default=554)
    p.add_argument("--fail-data-persist", action="store_true",
                   help="refuse every later message too")
    p.add_argument("--pipelining", action="store_true",
                   help="advertise PIPELINING (RFC 2920) in the EHLO answer")
    p.add_argument("--verbose", action="store_true",
                   help="log the whole SMTP dialogue (aiosmtpd debug log)")
    args = p.parse_args(argv)
    if args.security != "none" and not (args.cert and args.key):
        p.error(f"--security {args.security} needs --cert and --key")
    return args


async def serve(args):
    loop = asyncio.get_running_loop()
    faults = Faults(args)
    handler = Handler(args, faults)

    tls_ctx = None
    if args.security != "none":
        tls_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_ctx.load_cert_chain(args.cert, args.key)

    users = {}
    for spec in args.auth:
        user, sep, password = spec.partition(":")
        if not sep:
            raise SystemExit(f"--auth wants USER:PASS, got {spec!r}")
        users[user] = password

    kw = dict(hostname="localhost", ident="intro test SMTP", enable_SMTPUTF8=True,
              loop=loop)
    if args.security == "starttls":
        kw.update(tls_context=tls_ctx, require_starttls=True)
    if users:
        # aiosmtpd counts only STARTTLS as TLS when deciding whether to offer
        # AUTH, so implicit TLS (and deliberately plain "none") must lift that.
        kw.update(authenticator=Authenticator(users), auth_required=True,
                  auth_require_tls=(args.security == "starttls"))

    # Live connections, so shutdown can cut stalled ones off.
    connections = weakref.WeakSet()

    def factory():
        proto = TestSMTP(handler, faults, **kw)
        connections.add(proto)
        return proto

    server = await loop.create_server(
        factory, host="127.0.0.1", port=args.port,
        ssl=tls_ctx if args.security == "tls" else None)
    port = server.sockets[0].getsockname()[1]
    # Atomic publish: a reader never sees a half-written port number.
    tmp = f"{args.port_file}.tmp"
    with open(tmp, "w") as fh:
        fh.write(f"{port}\n")
    os.rename(tmp, args.port_file)
    log.info("listening on 127.0.0.1:%d (security=%s, auth=%s)",
             port, args.security, "yes" if users else "no")

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    server.close()
    for proto in connections:
        if proto.transport is not None:
            proto.transport.abort()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(stream=sys.stderr,
                        level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s: %(message)s")
    aiosmtpd_log = logging.getLogger("mail.log")
    if not args.verbose:
        # aiosmtpd logs every command at INFO; keep the log to our own events.
        aiosmtpd_log.setLevel(logging.WARNING)
    # AUTH without TLS is deliberate here (--security none/tls); aiosmtpd
    # would otherwise warn about it on every connection.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    # aiosmtpd also warns about its own internal use of a deprecated field.
    noise = ("auth_require_tls == False", "Session.login_data is deprecated")
    aiosmtpd_log.addFilter(lambda rec: not any(n in rec.getMessage() for n in noise))

    loop = asyncio.new_event_loop()
    loop.run_until_complete(serve(args))
    # Exit without asyncio's orderly teardown, which would wait for stalled
    # connections to unwind and for in-flight LMTP threads to finish.
    logging.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()
