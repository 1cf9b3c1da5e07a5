#!/bin/busybox sh
# initramfs PID 1: load virtio-blk + ext4, mount root=, switch_root to init=.
B=/bin/busybox
$B mount -t proc proc /proc; $B mount -t sysfs sysfs /sys; $B mount -t devtmpfs devtmpfs /dev
for m in $($B cat /mods/order); do
  $B insmod /mods/$m.ko || echo "initramfs: insmod $m failed"
done
init=/sbin/init; root=/dev/vda
for a in $($B cat /proc/cmdline); do
  case "$a" in init=*) init=${a#init=};; root=*) root=${a#root=};; esac
done
i=0; while [ ! -b "$root" ] && [ $i -lt 100 ]; do $B sleep 0.1; i=$((i+1)); done
$B mount -t ext4 -o rw "$root" /newroot || { echo "initramfs: cannot mount $root"; $B poweroff -f; }
$B umount /proc /sys /dev
exec $B switch_root /newroot "$init"
