#!/bin/sh
# PID 1 of the one-time setup boot: debootstrap's second stage and the
# guest's configuration, inside the VM (never on the host).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts; mount -t devpts devpts /dev/pts
# PID 1 exiting panics (panic=-1), so qemu -no-reboot exits too
die() { echo "STAGE2-RESULT: FAIL $*"; sync; poweroff -f; exit 1; }
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d   # no daemons from postinsts
/debootstrap/debootstrap --second-stage || { tail -40 /debootstrap/debootstrap.log; die debootstrap; }
echo e2e-vm > /etc/hostname; printf '127.0.0.1\tlocalhost\n127.0.1.1\te2e-vm\n' > /etc/hosts
printf '/dev/vda\t/\text4\trw,errors=remount-ro\t0\t0\n' > /etc/fstab
passwd -d root >/dev/null
depmod -a "$(uname -r)" || die depmod
useradd -m -s /bin/bash tester || die useradd   # shadow 4.13 useradd also allocates /etc/subuid,subgid
grep -q '^tester:' /etc/subuid || { echo tester:100000:65536 >> /etc/subuid; echo tester:100000:65536 >> /etc/subgid; }
systemctl enable e2e-runner.service || die enable
systemctl mask getty@tty1.service serial-getty@ttyS0.service apt-daily.timer apt-daily-upgrade.timer 2>/dev/null
# firewalld is installed for the scenarios that start it (pod-app); off at boot,
# so that the others run without it and no boot pays for its start.
systemctl disable firewalld.service 2>/dev/null
systemctl set-default multi-user.target
apt-get clean; rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/sbin/policy-rc.d
echo "STAGE2-RESULT: OK"
# re-exec PID 1: it still maps the old (deleted) dash/libc replaced by dpkg,
# which makes "remount,ro" fail with EBUSY
exec /bin/sh -c 'sync; mount -o remount,ro / && echo "STAGE2: / clean (ro)"; sync; poweroff -f; exit 0'
