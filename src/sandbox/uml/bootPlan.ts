import path from 'node:path';
import { SANDBOX_PATH, SHIM_DIR } from '../defaults.js';

// Pure pieces of a UML boot: the kernel command line, the guest's init script, and the console
// ring buffer. Kept free of side effects so they can be read and tested on their own.

export const DEFAULT_UML_KERNEL = 'linux.uml';
export const DEFAULT_UML_MEM_MIB = 256;
/** Where the Debian/Ubuntu package keeps the kernel's modules (one directory per kernel release). */
export const UML_MODULES_ROOT = '/usr/lib/uml/modules';
/** Kernel boot plus agent start; generous because CI machines are small and busy. */
export const UML_BOOT_TIMEOUT_MS = 30_000;
/** Lines the init script prints to the console to report its progress. */
export const PHASE_MARKER = 'IPIP-TUTOR-PHASE:';
/**
 * Modules loaded at boot (paths in the module tree; insmod, so no dependencies): what the sandbox
 * itself and the course's early steps need. Never ipip: loading it is the learner's first step.
 */
export const BOOT_MODULES = ['kernel/drivers/net/veth.ko'];

export interface BootPlan {
  /** Host directory (visible to the guest read-only through hostfs) holding init, fstabs and shims. */
  bootDir: string;
  /** The guest agent binary (guestAgent.ts), run by the guest through hostfs. */
  agentPath: string;
  memMiB: number;
  /** UML instance id (names the mconsole directory under uml_dir). */
  umid: string;
}

export function kernelArgs(plan: BootPlan): string[] {
  return [
    `mem=${plan.memMiB}M`,
    'root=/dev/root',
    'rootflags=/',
    'rootfstype=hostfs',
    'ro',
    `init=${plan.bootDir}/init.sh`,
    // Console 0 writes to our stdout (the ring buffer); no input. Other consoles and serial lines off.
    'con=null',
    'con0=null,fd:1',
    'ssl=null',
    // The agent's channel: guest /dev/ttyS0 reads fd 3 and writes fd 4.
    'ssl0=fd:3,fd:4',
    `uml_dir=${plan.bootDir}/uml`,
    `umid=${plan.umid}`,
    'loglevel=4',
    // The RAID6 algorithm benchmark costs ~0.85 s of every boot and nothing here uses RAID6.
    'initcall_blacklist=raid6_select_algo',
    // The course is IPv4 only. ipv6 is a module here, loaded on demand; modprobe applies this
    // to it, so no link-local addresses, neighbour or router chatter show up in tcpdump or in
    // the packet counters of `tutor flow`.
    'ipv6.disable=1',
  ];
}

/** Files written into the boot directory (and shims/, the shim directory the guest mounts). */
export interface GuestFiles {
  'init.sh': string;
  'fstab.early': string;
  'fstab.late': string;
}

/**
 * The guest's PID 1 and its two fstabs. Every process start costs tens of milliseconds inside
 * UML, so the mounts are batched into two `mount -a -T` calls.
 *
 * /lib/modules/$(uname -r) must exist for modprobe and lsmod to behave as on a normal machine,
 * but /lib is /usr/lib on the read-only host. So /usr/lib gets an overlay with a tmpfs upper (the
 * agent then links /usr/lib/modules to the package's module tree), and the shared-library
 * directories are put back on top directly from hostfs so that every exec skips the overlay layer.
 */
export function guestFiles(
  plan: BootPlan,
  /** Host library directories (/usr/lib/<triplet>) kept mounted directly, not through the overlay. */
  libDirs: readonly string[],
): GuestFiles {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const stash = (d: string) => `/run/ipip-tutor/lib/${path.basename(d)}`;
  const early = [
    'proc /proc proc defaults 0 0',
    'sysfs /sys sysfs defaults 0 0',
    'tmpfs /run tmpfs mode=0755,size=32m 0 0',
    // The boot directory lives on the host's /tmp, which the guest's own /tmp hides: keep a view of it.
    `${plan.bootDir} /run/ipip-tutor/boot none bind,X-mount.mkdir 0 0`,
    // The shims, written by the host with their modes: nothing to start in the guest to install them.
    `${plan.bootDir}/shims ${SHIM_DIR} none bind,X-mount.mkdir 0 0`,
    'tmpfs /tmp tmpfs mode=1777,size=64m 0 0',
    'tmpfs /dev/shm tmpfs mode=1777,size=16m,X-mount.mkdir 0 0',
    ...libDirs.map((d) => `${d} ${stash(d)} none bind,X-mount.mkdir 0 0`),
  ];
  const late = [
    'overlay /usr/lib overlay lowerdir=/usr/lib,upperdir=/run/ipip-tutor/ov/u,workdir=/run/ipip-tutor/ov/w 0 0',
    // (`move` is not accepted in an fstab; a second bind is just as direct.)
    ...libDirs.map((d) => `${stash(d)} ${d} none bind 0 0`),
  ];
  const insmods = BOOT_MODULES.map((m) => `insmod "$M/${m}"`).join('\n  ');
  const init = `#!/bin/sh
# ipip-tutor UML guest init (generated). The host root is mounted read-only through hostfs.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -a -T ${q(plan.bootDir + '/fstab.early')}
mkdir -p /run/lock /run/ipip-tutor/ov/u /run/ipip-tutor/ov/w
echo ipip-tutor > /proc/sys/kernel/hostname
read R < /proc/sys/kernel/osrelease
M=${UML_MODULES_ROOT}/$R
echo "${PHASE_MARKER}loading modules"
if [ -d "$M" ]; then
  insmod "$M/kernel/fs/overlayfs/overlay.ko" && mount -a -T /run/ipip-tutor/boot/fstab.late
  ${insmods}
fi
# The root namespace plays the article's host: its loopback is up as on any running machine.
ip link set lo up
echo "${PHASE_MARKER}starting agent"
exec ${q(plan.agentPath)} ${UML_MODULES_ROOT} ${q(SANDBOX_PATH)} </dev/ttyS0 >/dev/ttyS0
`;
  return { 'init.sh': init, 'fstab.early': early.join('\n') + '\n', 'fstab.late': late.join('\n') + '\n' };
}

/** Keeps the last `size` lines of a stream (the kernel console) for error reports. */
export class LineRing {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly size = 30) {}

  push(chunk: string): string[] {
    const text = this.partial + chunk;
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      // Stack frames of a kernel oops crowd out the lines that explain it.
      if (/^\s*(<\d>)?\s*\[<[0-9a-f]+>\]/.test(line)) continue;
      this.lines.push(line);
      if (this.lines.length > this.size) this.lines.shift();
    }
    return parts;
  }

  text(): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-this.size).join('\n');
  }
}
