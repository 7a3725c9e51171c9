import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianLayout, LayoutError, layoutFromBinary, layoutFromModules, resolveLayout } from '../../src/pbx/asterisk/install-layout.js';

describe('install-layout', () => {
  it('keeps every directory under the prefix when the modules are in a prefix install', () => {
    expect(layoutFromModules('/opt/asterisk/lib/asterisk/modules')).toEqual({
      modules: '/opt/asterisk/lib/asterisk/modules',
      lib: '/opt/asterisk/var/lib/asterisk',
      data: '/opt/asterisk/var/lib/asterisk',
      spool: '/opt/asterisk/var/spool/asterisk',
      run: '/opt/asterisk/var/run/asterisk',
      log: '/opt/asterisk/var/log/asterisk',
      cache: '/opt/asterisk/var/cache/asterisk',
      sbin: '/opt/asterisk/sbin',
    });
  });

  it("uses Debian's package layout when the modules are in a multiarch directory", () => {
    expect(layoutFromModules('/usr/lib/x86_64-linux-gnu/asterisk/modules')).toMatchObject({ data: '/usr/share/asterisk', lib: '/var/lib/asterisk', sbin: '/usr/sbin', run: '/var/run/asterisk' });
    expect(debianLayout('x64').modules).toBe('/usr/lib/x86_64-linux-gnu/asterisk/modules');
  });

  it('puts the data in /var/lib/asterisk for a source install into /usr', () => {
    expect(layoutFromModules('/usr/lib/asterisk/modules')).toMatchObject({ data: '/var/lib/asterisk', lib: '/var/lib/asterisk', sbin: '/usr/sbin' });
    expect(layoutFromModules('/usr/lib64/asterisk/modules/')).toMatchObject({ modules: '/usr/lib64/asterisk/modules', log: '/var/log/asterisk' });
  });

  it('finds the modules directory next to the binary', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'sb-layout-'));
    mkdirSync(join(prefix, 'sbin'));
    writeFileSync(join(prefix, 'sbin/asterisk'), '');
    mkdirSync(join(prefix, 'lib64/asterisk/modules'), { recursive: true });
    expect(layoutFromBinary(join(prefix, 'sbin/asterisk'))).toMatchObject({ modules: join(prefix, 'lib64/asterisk/modules'), lib: join(prefix, 'var/lib/asterisk'), sbin: join(prefix, 'sbin') });
  });

  it('lets an explicit directory win over the derived one', () => {
    const dirs = resolveLayout({ modules: '/opt/asterisk/lib/asterisk/modules', run: '/tmp/run', data: '/srv/sounds' });
    expect(dirs).toMatchObject({ run: '/tmp/run', data: '/srv/sounds', lib: '/opt/asterisk/var/lib/asterisk', log: '/opt/asterisk/var/log/asterisk' });
  });

  it('refuses a modules directory it cannot read a layout from, naming the option', () => {
    expect(() => layoutFromModules('/somewhere/else')).toThrow(LayoutError);
    expect(() => layoutFromModules('/somewhere/else')).toThrow(/--modules/);
  });
});
