#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds test image archives (oci-archive and docker-archive, as podman
save writes them) from Debian's busybox-static, deterministically.

  mkimage.py busybox OUT.tar [oci|docker] [--two-layer] [--zstd] [--name N] [--root-mode OCTAL]
             [--env-count N]   (N more Env entries, V0=0 ... : hostile sizes)
             [--expose PORT/PROTO]...  (ExposedPorts, as EXPOSE writes it)
  mkimage.py hostile KIND OUT.tar      (an oci-archive that must be rejected)
  mkimage.py big OUT.tar LAYERS MIB    (busybox + LAYERS layers of MIB MiB each,
                                        half random, half text: gzip halves it)

Hostile kinds: traversal, absolute, symlink-escape, hardlink-escape,
truncated-gzip, bad-digest, bad-diffid, symlink-dir-escape, whiteout-dotdot."""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

MTIME = 1704067200  # 2024-01-01T00:00:00Z
BUSYBOX = os.environ.get("BUSYBOX", "/bin/busybox")
APPLETS = ["sh", "echo", "sleep", "cat", "ls", "id", "mount", "umount", "ip", "true",
           "false", "env", "ps", "touch", "mkdir", "rm", "grep", "head", "wc", "printf",
           "test", "stat", "readlink", "hostname", "kill", "ln", "uname", "whoami", "pwd",
           "chmod", "chown", "cp", "mv", "dd", "sed", "awk", "tail", "sort", "nproc",
           "df", "du", "find", "xargs", "tr", "cut", "seq", "date", "mknod", "ping",
           "nc", "wget", "ifconfig", "dmesg", "sysctl", "nsenter", "unshare", "chroot",
           "timeout", "yes", "tee", "basename", "dirname", "od", "hexdump", "md5sum",
           "sha256sum", "ulimit", "getty", "init", "su", "setsid", "pidof", "top",
           "free", "uptime", "mountpoint", "stty", "watch", "which", "more", "vi"]


def sha(data):
    return hashlib.sha256(data).hexdigest()


class Layer:
    """An in-memory tar layer with fixed metadata."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, kind, mode):
        ti = tarfile.TarInfo(name)
        ti.type = kind
        ti.mode = mode
        ti.mtime = MTIME
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = ""
        return ti

    def dir(self, name, mode=0o755):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode))

    def file(self, name, data, mode=0o644):
        ti = self._info(name, tarfile.REGTYPE, mode)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def symlink(self, name, target):
        ti = self._info(name, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)

    def hardlink(self, name, target):
        ti = self._info(name, tarfile.LNKTYPE, 0o644)
        ti.linkname = target
        self.tar.addfile(ti)

    def device(self, name, major, minor):
        ti = self._info(name, tarfile.CHRTYPE, 0o666)
        ti.devmajor, ti.devminor = major, minor
        self.tar.addfile(ti)

    def owned(self, name, data, uid, gid):
        ti = self._info(name, tarfile.REGTYPE, 0o600)
        ti.uid, ti.gid = uid, gid
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def busybox_layer(root_mode=None):
    l = Layer()
    if root_mode is not None:
        l.dir(".", root_mode)  # the layer's own root: "./" in the archive
    for d in ["bin", "dev", "etc", "home", "proc", "root", "sys", "usr", "usr/bin", "var",
              "data", "opq"]:
        l.dir(d, 0o700 if d == "root" else 0o755)
    l.dir("tmp", 0o1777)
    with open(BUSYBOX, "rb") as f:
        l.file("bin/busybox", f.read(), 0o755)
    for a in APPLETS:
        l.symlink("bin/" + a, "busybox")
    l.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
           b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    l.file("etc/group", b"root:x:0:\nnobody:x:65534:\n")
    l.file("data/keep", b"keep\n")
    l.file("data/gone", b"gone\n")
    l.file("opq/a", b"a\n")
    l.file("opq/b", b"b\n")
    l.file("etc/hardlink-src", b"linked\n")
    l.hardlink("etc/hardlink-dst", "etc/hardlink-src")
    return l.bytes()


def second_layer():
    l = Layer()
    l.dir("data")
    l.file("data/.wh.gone", b"", 0)
    l.dir("opq")
    l.file("opq/.wh..wh..opq", b"", 0)
    l.file("opq/c", b"c\n")
    l.file("etc/motd", b"second layer\n")
    # Names repeated in one layer: the later entry wins, as in tar.
    l.file("etc/dup", b"first\n")
    l.file("etc/dup", b"second\n")
    l.symlink("etc/was-link", "/etc/passwd")
    l.file("etc/was-link", b"file\n")
    l.dir("dev")
    l.device("dev/podunit-null", 1, 3)
    l.owned("home/nobody-file", b"n\n", 65534, 65534)
    return l.bytes()


def hostile_layer(kind):
    l = Layer()
    l.dir("etc")
    if kind == "traversal":
        l.file("../../etc/podunit-escaped", b"x\n")
    elif kind == "absolute":
        l.file("/etc/podunit-escaped", b"x\n")
    elif kind == "symlink-escape":
        l.symlink("a", "/etc")
        l.file("a/podunit-escaped", b"x\n")
    elif kind == "symlink-dir-escape":
        l.symlink("a", "../../../../../../etc")
        l.file("a/podunit-escaped", b"x\n")
    elif kind == "whiteout-dotdot":
        l.dir("etc/sub")
        l.file("etc/sub/.wh...", b"", 0)
    elif kind == "hardlink-escape":
        l.hardlink("etc/passwd-link", "../../../../../../etc/passwd")
    else:
        l.file("etc/ok", b"fine\n")
    return l.bytes()


def compress(tar, how):
    if how == "gzip":
        return gzip.compress(tar, compresslevel=6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=tar, stdout=subprocess.PIPE,
                              check=True).stdout
    return tar


MEDIA = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
         "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
         "none": "application/vnd.oci.image.layer.v1.tar"}


EXTRA_ENV = []
EXPOSED = []


def config_for(diff_ids, cmd=("sh",)):
    return json.dumps({
        "created": "2024-01-01T00:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
                   + EXTRA_ENV,
            "Cmd": list(cmd),
            "Labels": {"org.podunit.test": "busybox"},
            **({"ExposedPorts": {p: {} for p in EXPOSED}} if EXPOSED else {}),
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in diff_ids]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "mkimage.py"}
                    for _ in diff_ids],
    }, sort_keys=True).encode()


def add(out, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mtime = MTIME
    ti.mode = 0o644
    out.addfile(ti, io.BytesIO(data))


def write_oci(path, name, layers, how="gzip", tamper=None):
    """layers: uncompressed tars. tamper: 'bad-digest', 'bad-diffid',
    'truncated-gzip'."""
    diff_ids = [sha(t) for t in layers]
    blobs = [compress(t, how) for t in layers]
    if tamper == "truncated-gzip":
        blobs = [b[: len(b) // 2] for b in blobs]
    if tamper == "bad-diffid":
        diff_ids = ["0" * 64 for _ in diff_ids]
    config = config_for(diff_ids)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + sha(config), "size": len(config)},
        "layers": [{"mediaType": MEDIA[how], "digest": "sha256:" + sha(b), "size": len(b)}
                   for b in blobs],
    }, sort_keys=True).encode()
    desc = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + sha(manifest), "size": len(manifest)}
    if name:
        desc["annotations"] = {"org.opencontainers.image.ref.name": name}
    index = json.dumps({"schemaVersion": 2, "manifests": [desc]}).encode()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as out:
        add(out, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        add(out, "index.json", index)
        add(out, "blobs/sha256/" + sha(manifest), manifest)
        add(out, "blobs/sha256/" + sha(config), config)
        for b in blobs:
            data = b
            if tamper == "bad-digest":
                data = b[:-1] + bytes([b[-1] ^ 1])
            add(out, "blobs/sha256/" + sha(b), data)
    return sha(config)


def write_docker(path, name, layers):
    diff_ids = [sha(t) for t in layers]
    config = config_for(diff_ids)
    cname = sha(config) + ".json"
    manifest = json.dumps([{"Config": cname, "RepoTags": [name] if name else [],
                            "Layers": [d + "/layer.tar" for d in diff_ids]}]).encode()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as out:
        add(out, cname, config)
        for d, t in zip(diff_ids, layers):
            add(out, d + "/layer.tar", t)
        add(out, "manifest.json", manifest)
    return sha(config)


def main(argv):
    if len(argv) >= 3 and argv[1] == "busybox":
        out = argv[2]
        fmt = "oci"
        name = "localhost/busybox:latest"
        how = "gzip"
        root_mode = None
        rest = argv[3:]
        if "--root-mode" in rest:
            i = rest.index("--root-mode")
            root_mode = int(rest[i + 1], 8)
            del rest[i:i + 2]
        layers = [busybox_layer(root_mode)]
        while rest:
            a = rest.pop(0)
            if a in ("oci", "docker"):
                fmt = a
            elif a == "--two-layer":
                layers.append(second_layer())
            elif a == "--zstd":
                how = "zstd"
            elif a == "--name":
                name = rest.pop(0)
            elif a == "--expose":
                EXPOSED.append(rest.pop(0))
            elif a == "--env-count":
                EXTRA_ENV.extend("V%d=%d" % (i, i) for i in range(int(rest.pop(0))))
            else:
                sys.exit("mkimage.py: unknown argument " + a)
        if fmt == "oci":
            ident = write_oci(out, name, layers, how)
        else:
            ident = write_docker(out, name, layers)
        print(ident)
        return
    if len(argv) == 4 and argv[1] == "hostile":
        kind, out = argv[2], argv[3]
        tamper = kind if kind in ("bad-digest", "bad-diffid", "truncated-gzip") else None
        # A big layer cut in half fails while streaming, not at the first read.
        layer = busybox_layer() if kind == "truncated-gzip" else hostile_layer(kind)
        print(write_oci(out, "localhost/hostile:latest", [layer], "gzip", tamper))
        return
    if len(argv) == 5 and argv[1] == "big":
        import random
        out, nlayers, mib = argv[2], int(argv[3]), int(argv[4])
        layers = [busybox_layer()]
        for i in range(nlayers):
            rnd = random.Random(i)
            l = Layer()
            l.dir("data%d" % i)
            for j in range(mib):
                text = b"".join(b"line %d of file %d in layer %d: podunit\n" % (k, j, i)
                                for k in range(12000))[: 1 << 19]
                l.file("data%d/f%03d" % (i, j), rnd.randbytes(1 << 19) + text)
            layers.append(l.bytes())
        print(write_oci(out, "localhost/big:latest", layers, "gzip"))
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
