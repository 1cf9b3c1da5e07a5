#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes podunit's default seccomp profile, in podman's JSON profile format.

The profile follows the semantics of podman's default (containers-common's
seccomp.json): unknown syscalls fail with ENOSYS (so that programs fall back
from syscalls the filter does not know, e.g. clone3 on old profiles), a short
list of obsolete or dangerous syscalls fails with EPERM, a large allow list,
and rules that depend on the container's capabilities. Syscalls that the
kernel itself already guards with a capability (mount, unshare, setns,
reboot, ptrace, ...) are allowed here, as podman does: the capability check
is the kernel's job, and allowing them keeps e.g. `unshare` working when
the user adds CAP_SYS_ADMIN.

Usage: seccomp-profile.py --json OUT.json [--c OUT.c]
The C output embeds the JSON text and its SHA-256 (the cache key's input).
"""

import argparse
import hashlib
import json

ENOSYS = 38
EPERM = 1
EINVAL = 22
AF_NETLINK = 16
NETLINK_AUDIT = 9

# Syscalls every container may make, grouped by purpose. 32-bit and
# time64 variants sit beside their 64-bit counterparts.
ALLOW = {
    "files: open, read, write, close": """
        open openat openat2 creat close close_range read readv pread64 preadv
        preadv2 write writev pwrite64 pwritev pwritev2 lseek _llseek
        sendfile sendfile64 splice tee copy_file_range readahead
        fadvise64 fadvise64_64 fallocate ftruncate ftruncate64 truncate
        truncate64 fsync fdatasync sync syncfs sync_file_range flock fcntl
        fcntl64 dup dup2 dup3 ioctl name_to_handle_at""",
    "files: metadata and directories": """
        stat stat64 lstat lstat64 fstat fstat64 fstatat64 newfstatat statx
        statfs statfs64 fstatfs fstatfs64 access faccessat faccessat2
        chmod fchmod fchmodat chown chown32 fchown fchown32 fchownat lchown
        lchown32 umask utime utimes utimensat utimensat_time64 futimesat
        mkdir mkdirat mknod mknodat rmdir rename renameat renameat2 link
        linkat symlink symlinkat unlink unlinkat readlink readlinkat
        getdents getdents64 readdir getcwd chdir fchdir""",
    "files: extended attributes": """
        getxattr lgetxattr fgetxattr setxattr lsetxattr fsetxattr listxattr
        llistxattr flistxattr removexattr lremovexattr fremovexattr""",
    "files: notification": """
        inotify_init inotify_init1 inotify_add_watch inotify_rm_watch
        fanotify_mark""",
    "mounts (the kernel requires CAP_SYS_ADMIN)": """
        mount umount umount2 mount_setattr move_mount open_tree fsopen
        fsconfig fsmount fspick pivot_root""",
    "memory": """
        brk mmap mmap2 munmap mremap mprotect madvise mincore msync mlock
        mlock2 mlockall munlock munlockall remap_file_pages memfd_create
        memfd_secret membarrier pkey_alloc pkey_free pkey_mprotect
        get_mempolicy set_mempolicy mbind""",
    "processes and threads": """
        fork vfork clone clone3 execve execveat exit exit_group wait4 waitid
        waitpid set_tid_address set_robust_list get_robust_list
        set_thread_area get_thread_area rseq futex futex_time64 getpid
        getppid gettid getpgid setpgid getpgrp getsid setsid prctl
        seccomp getrlimit setrlimit ugetrlimit prlimit64 getrusage times
        getpriority setpriority ioprio_get ioprio_set getcpu uname sysinfo
        syslog restart_syscall syscall pidfd_open pidfd_getfd
        pidfd_send_signal process_mrelease ptrace process_vm_readv
        process_vm_writev landlock_create_ruleset landlock_add_rule
        landlock_restrict_self reboot""",
    "scheduling": """
        sched_yield sched_getaffinity sched_setaffinity sched_getattr
        sched_setattr sched_getparam sched_setparam sched_getscheduler
        sched_setscheduler sched_get_priority_max sched_get_priority_min
        sched_rr_get_interval sched_rr_get_interval_time64""",
    "credentials and capabilities": """
        getuid getuid32 geteuid geteuid32 getgid getgid32 getegid getegid32
        getresuid getresuid32 getresgid getresgid32 getgroups getgroups32
        setuid setuid32 setgid setgid32 setreuid setreuid32 setregid
        setregid32 setresuid setresuid32 setresgid setresgid32 setfsuid
        setfsuid32 setfsgid setfsgid32 setgroups setgroups32 capget capset""",
    "namespaces (the kernel requires CAP_SYS_ADMIN for new ones)": """
        unshare setns""",
    "signals": """
        kill tkill tgkill rt_sigaction rt_sigprocmask rt_sigpending
        rt_sigqueueinfo rt_tgsigqueueinfo rt_sigreturn rt_sigsuspend
        rt_sigtimedwait rt_sigtimedwait_time64 sigaction sigprocmask
        sigpending sigreturn sigsuspend signal sigaltstack signalfd
        signalfd4 pause""",
    "time and timers": """
        time gettimeofday clock_gettime clock_gettime64 clock_getres
        clock_getres_time64 clock_nanosleep clock_nanosleep_time64
        nanosleep adjtimex clock_adjtime clock_adjtime64 alarm getitimer
        setitimer timer_create timer_delete timer_getoverrun timer_gettime
        timer_gettime64 timer_settime timer_settime64 timerfd
        timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
        timerfd_settime64""",
    "polling and events": """
        poll ppoll ppoll_time64 select _newselect pselect6 pselect6_time64
        epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_wait
        epoll_wait_old epoll_pwait epoll_pwait2 eventfd eventfd2 pipe pipe2
        getrandom io_setup io_destroy io_submit io_cancel io_getevents""",
    "System V and POSIX IPC, keyrings": """
        ipc msgget msgctl msgsnd msgrcv semget semctl semop semtimedop
        semtimedop_time64 shmget shmctl shmat shmdt mq_open mq_unlink
        mq_notify mq_getsetattr mq_timedsend mq_timedsend_time64
        mq_timedreceive mq_timedreceive_time64 keyctl""",
    "sockets (socket(2) itself has its own rules below)": """
        socketpair socketcall bind listen accept accept4 connect shutdown
        getsockname getpeername getsockopt setsockopt send sendto sendmsg
        sendmmsg recv recvfrom recvmsg recvmmsg recvmmsg_time64""",
}

# Obsolete, machine-wide or known-dangerous syscalls: EPERM, whatever the
# capabilities.
DENY_EPERM = """
    bdflush io_pgetevents kexec_file_load kexec_load migrate_pages
    move_pages nfsservctl nice oldfstat oldlstat oldolduname oldstat
    olduname pciconfig_iobase pciconfig_read pciconfig_write sgetmask
    ssetmask swapcontext swapoff swapon sysfs uselib userfaultfd ustat vm86
    vm86old vmsplice"""

# Allowed only with the capability, EPERM without it.
BY_CAPABILITY = [
    ("CAP_DAC_READ_SEARCH", "open_by_handle_at"),
    ("CAP_SYS_ADMIN", "bpf fanotify_init lookup_dcookie perf_event_open quotactl "
                      "setdomainname sethostname"),
    ("CAP_SYS_CHROOT", "chroot"),
    ("CAP_SYS_MODULE", "delete_module init_module finit_module query_module"),
    ("CAP_SYS_PACCT", "acct"),
    ("CAP_SYS_PTRACE", "kcmp process_madvise"),
    ("CAP_SYS_RAWIO", "iopl ioperm"),
    ("CAP_SYS_TIME", "settimeofday stime clock_settime clock_settime64"),
    ("CAP_SYS_TTY_CONFIG", "vhangup"),
]

# Allowed only on some architectures (Go's names, as podman's profile uses).
BY_ARCH = [
    (["amd64", "x32"], "arch_prctl"),
    (["amd64", "x32", "x86"], "modify_ldt"),
    (["arm", "arm64"], "arm_fadvise64_64 arm_sync_file_range sync_file_range2 "
                       "breakpoint cacheflush set_tls"),
    (["ppc64le"], "sync_file_range2"),
    (["s390", "s390x"], "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr"),
]

# personality(2): only the harmless personas (PER_LINUX, its 32-bit
# variant, UNAME26 combinations) and the query value 0xffffffff.
PERSONALITIES = [0x0, 0x0008, 0x20000, 0x20008, 0xFFFFFFFF]

ARCH_MAP = [
    ("SCMP_ARCH_X86_64", ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
    ("SCMP_ARCH_AARCH64", ["SCMP_ARCH_ARM"]),
    ("SCMP_ARCH_PPC64LE", []),
    ("SCMP_ARCH_S390X", ["SCMP_ARCH_S390"]),
    ("SCMP_ARCH_MIPS64", ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"]),
    ("SCMP_ARCH_MIPSEL64", ["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"]),
]


def names(text):
    return sorted(set(text.split()))


def rule(syscalls, action, errno=None, args=None, includes=None, excludes=None, comment=""):
    r = {"names": syscalls, "action": action}
    if errno is not None:
        r["errnoRet"] = errno
    if args:
        r["args"] = args
    if includes:
        r["includes"] = includes
    if excludes:
        r["excludes"] = excludes
    if comment:
        r["comment"] = comment
    return r


def arg(index, value, op):
    return {"index": index, "value": value, "valueTwo": 0, "op": op}


def profile():
    rules = [rule(names(DENY_EPERM), "SCMP_ACT_ERRNO", EPERM, comment="obsolete or dangerous")]
    seen = set(names(DENY_EPERM))
    for purpose, text in ALLOW.items():
        group = names(text)
        dup = seen.intersection(group)
        assert not dup, "listed twice: %s" % dup
        seen.update(group)
        rules.append(rule(group, "SCMP_ACT_ALLOW", comment=purpose))
    for value in PERSONALITIES:
        rules.append(rule(["personality"], "SCMP_ACT_ALLOW",
                          args=[arg(0, value, "SCMP_CMP_EQ")], comment="harmless personas"))
    for arches, text in BY_ARCH:
        rules.append(rule(names(text), "SCMP_ACT_ALLOW", includes={"arches": arches}))
    for cap, text in BY_CAPABILITY:
        group = names(text)
        dup = seen.intersection(group)
        assert not dup, "listed twice: %s" % dup
        seen.update(group)
        rules.append(rule(group, "SCMP_ACT_ALLOW", includes={"caps": [cap]}))
        rules.append(rule(group, "SCMP_ACT_ERRNO", EPERM, excludes={"caps": [cap]}))
    # Audit netlink sockets only with CAP_AUDIT_WRITE (EINVAL as if the
    # protocol did not exist); every other socket is fine.
    audit = "audit netlink only with CAP_AUDIT_WRITE"
    rules.append(rule(["socket"], "SCMP_ACT_ERRNO", EINVAL,
                      args=[arg(0, AF_NETLINK, "SCMP_CMP_EQ"), arg(2, NETLINK_AUDIT, "SCMP_CMP_EQ")],
                      excludes={"caps": ["CAP_AUDIT_WRITE"]}, comment=audit))
    rules.append(rule(["socket"], "SCMP_ACT_ALLOW", args=[arg(0, AF_NETLINK, "SCMP_CMP_NE")],
                      excludes={"caps": ["CAP_AUDIT_WRITE"]}, comment=audit))
    rules.append(rule(["socket"], "SCMP_ACT_ALLOW", args=[arg(2, NETLINK_AUDIT, "SCMP_CMP_NE")],
                      excludes={"caps": ["CAP_AUDIT_WRITE"]}, comment=audit))
    rules.append(rule(["socket"], "SCMP_ACT_ALLOW", includes={"caps": ["CAP_AUDIT_WRITE"]}))
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": ENOSYS,
        "archMap": [{"architecture": a, "subArchitectures": s} for a, s in ARCH_MAP],
        "syscalls": rules,
    }


def c_source(text, digest):
    out = ["/* Generated by seccomp-profile.py: podunit's default seccomp profile. */",
           "#include <stddef.h>",
           "const char seccomp_default_profile_sha256[] = \"%s\";" % digest,
           "const size_t seccomp_default_profile_len = %d;" % len(text),
           "const char seccomp_default_profile_json[] ="]
    for line in text.splitlines(True):
        out.append("  \"%s\"" % line.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
    out[-1] += ";"
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--c")
    opts = ap.parse_args()
    text = json.dumps(profile(), indent=1) + "\n"
    with open(opts.json, "w") as f:
        f.write(text)
    if opts.c:
        with open(opts.c, "w") as f:
            f.write(c_source(text, hashlib.sha256(text.encode()).hexdigest()))


if __name__ == "__main__":
    main()
