#!/usr/bin/python3
"""Runs a private Dovecot (IMAP + LMTP) for intro's integration tests.

    dovecot.py start DIR --cert PEM --key PEM --user ada:adapass [--user ...]
    dovecot.py stop DIR [--wait]
    dovecot.py exec DIR --cert PEM --key PEM --user ...

`start` writes DIR/dovecot.conf and DIR/users, runs `dovecot -F` in the
background, waits until it accepts connections and prints DIR/env:
    IMAP_STARTTLS_PORT=...   IMAP with STARTTLS (port 143 style)
    IMAP_TLS_PORT=...        IMAP with implicit TLS (port 993 style)
    LMTP_SOCKET=...          unix socket for delivering mail into INBOXes
    PID=...                  the Dovecot master process
`exec` writes the same files and then becomes `dovecot -F` (same PID), for
a caller that wants Dovecot as its own child process: it waits for the
ports itself, and re-runs `exec` if Dovecot exits because a port was taken.

Everything lives in DIR: config, log (DIR/dovecot.log), runtime sockets
(DIR/run) and mail (Maildir at DIR/mail/<user>, owned by the `mail` user).
Unix socket paths must stay under 108 bytes, so keep DIR short and outside
/root (which Dovecot's unprivileged processes cannot enter): /tmp/xyz is ideal.

The server listens on 127.0.0.1 only and offers STARTTLS, implicit TLS,
and AUTH PLAIN/LOGIN. User names are matched case-insensitively without any
@domain, so `ada` and `Ada@example.com` both log in as, and receive mail
for, user `ada`. Must run as root (Dovecot drops privileges itself).
"""

import argparse
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

START_TIMEOUT = 10.0

CONFIG = """\
# Private Dovecot instance for intro's integration tests (see dovecot.py).
# Nothing from /etc/dovecot is read.
instance_name = intro-test-{instance}
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
# Dovecot's own service users; the stock packages create them.
default_internal_user = dovecot
default_login_user = dovenull

# Dovecot counts a connection whose remote and local IPs match (any
# 127.0.0.1 client) as secure, so plaintext LOGIN works here even without
# TLS: these servers cannot test that a client insists on TLS.
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}

auth_mechanisms = plain login
# Tests try wrong passwords on purpose; the default 2 s delay would add up.
auth_failure_delay = 0
# "Ada@Example.com" -> "ada": tests address users by mail address.
auth_username_format = %Ln
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/users
}}
# Mail processes refuse uid 0, so all mail belongs to the stock `mail` user.
# allow_all_users=no (the default) makes LMTP reject unknown recipients.
userdb {{
  driver = static
  args = uid=mail gid=mail home={dir}/home/%u
}}
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
mail_location = maildir:{dir}/mail/%u

service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
}}
protocol imap {{
  # Default is 10; parallel tests log in as the same user many times.
  mail_max_userip_connections = 1000
}}
"""


def pick_port():
    """A free port below the kernel's ephemeral range (32768+ by default).

    Dovecot must be told its ports up front, so there is a window between
    choosing one and Dovecot binding it. Outgoing connections and port-0
    binds (the SMTP test server) only take ephemeral ports, so staying below
    that range leaves only other Dovecot starts to race with; `start` (and
    the caller of `exec`) retries if that happens.
    """
    while True:
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def parse_users(specs):
    users = []
    for spec in specs:
        user, sep, password = spec.partition(":")
        if not sep or not user or ":" in password:
            sys.exit(f"dovecot.py: --user wants USER:PASS (no ':' in PASS), got {spec!r}")
        users.append((user.lower(), password))
    return users


def can_connect(family, addr):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect(addr)
            return True
        except OSError:
            return False


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still "exists"; check its state.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def read_env(d):
    env = {}
    with open(os.path.join(d, "env")) as fh:
        for line in fh:
            k, _, v = line.strip().partition("=")
            env[k] = v
    return env


def configure(args):
    """Writes config, users and folders into DIR with fresh ports.

    Returns the contents for DIR/env, minus the PID line.
    """
    d = os.path.abspath(args.dir)
    users = parse_users(args.user)
    mail = pwd.getpwnam("mail")
    sock = os.path.join(d, "run", "lmtp")
    if len(sock.encode()) + 30 > 107:  # room for Dovecot's longest socket name
        sys.exit(f"dovecot.py: {d} is too long a path for unix sockets; use a short /tmp dir")

    os.makedirs(d, exist_ok=True)
    # Dovecot's mail processes (uid mail) must be able to traverse DIR.
    os.chmod(d, 0o711)
    for sub in ("mail", "home"):
        p = os.path.join(d, sub)
        os.makedirs(p, exist_ok=True)
        os.chown(p, mail.pw_uid, mail.pw_gid)
        os.chmod(p, 0o700)
    with open(os.path.join(d, "users"), "w") as fh:
        for user, password in users:
            fh.write(f"{user}:{password}\n")

    starttls_port = pick_port()
    tls_port = pick_port()
    while tls_port == starttls_port:
        tls_port = pick_port()
    with open(os.path.join(d, "dovecot.conf"), "w") as fh:
        fh.write(CONFIG.format(
            dir=d, instance=os.path.basename(d), cert=os.path.abspath(args.cert),
            key=os.path.abspath(args.key), mail_uid=mail.pw_uid,
            mail_gid=mail.pw_gid, starttls_port=starttls_port, tls_port=tls_port))
    return (f"IMAP_STARTTLS_PORT={starttls_port}\n"
            f"IMAP_TLS_PORT={tls_port}\n"
            f"LMTP_SOCKET={sock}\n")


def write_env(d, env):
    # Atomic: a caller polling for the file never reads half of it.
    tmp = os.path.join(d, "env.tmp")
    with open(tmp, "w") as fh:
        fh.write(env)
    os.rename(tmp, os.path.join(d, "env"))


def dovecot_argv(d):
    return ["dovecot", "-F", "-c", os.path.join(d, "dovecot.conf")]


def exec_(args):
    d = os.path.abspath(args.dir)
    env = configure(args)
    write_env(d, env + f"PID={os.getpid()}\n")
    os.execvp("dovecot", dovecot_argv(d))


def start(args):
    d = os.path.abspath(args.dir)
    log_path = os.path.join(d, "dovecot.log")
    last_error = ""
    for _attempt in range(3):
        env = configure(args)
        ports = [int(line.split("=")[1]) for line in env.splitlines()[:2]]
        sock = env.splitlines()[2].split("=", 1)[1]
        log = open(log_path, "ab")
        # Own session: the caller's terminal signals and process group do not
        # reach it, and it outlives this script.
        proc = subprocess.Popen(dovecot_argv(d), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if (os.path.exists(sock)
                    and all(can_connect(socket.AF_INET, ("127.0.0.1", p)) for p in ports)
                    and can_connect(socket.AF_UNIX, sock)):
                env += f"PID={proc.pid}\n"
                write_env(d, env)
                sys.stdout.write(env)
                return 0
            time.sleep(0.01)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        with open(log_path, errors="replace") as fh:
            last_error = fh.read()
        if "in use" not in last_error:
            break
    sys.stderr.write(f"dovecot.py: Dovecot did not start; its log:\n{last_error}")
    return 1


def stop(args):
    d = os.path.abspath(args.dir)
    try:
        pid = int(read_env(d)["PID"])
    except (OSError, KeyError, ValueError):
        return 0  # never started
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return 0
    if args.wait:
        # The master lingers ~2.5 s while it shuts its children down.
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(os.path.join(d, "run"), ignore_errors=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("start", help="configure and start Dovecot in DIR")
    ps.add_argument("dir")
    ps.add_argument("--cert", required=True, help="server certificate (PEM)")
    ps.add_argument("--key", required=True, help="server key (PEM)")
    ps.add_argument("--user", action="append", default=[], metavar="USER:PASS",
                    help="mail user (repeatable)")
    pe = sub.add_parser("exec", help="configure DIR, then become `dovecot -F`")
    pe.add_argument("dir")
    pe.add_argument("--cert", required=True)
    pe.add_argument("--key", required=True)
    pe.add_argument("--user", action="append", default=[], metavar="USER:PASS")
    pt = sub.add_parser("stop", help="SIGTERM the Dovecot started in DIR")
    pt.add_argument("dir")
    pt.add_argument("--wait", action="store_true", help="wait until it has exited")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("dovecot.py: must run as root")
    return {"start": start, "exec": exec_, "stop": stop}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
