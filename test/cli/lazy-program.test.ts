import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { cli, type CliRun } from '../helpers/run.js';
import { COMMAND_NAMES, commandToRun, makeProgram, type Io } from '../../src/cli/main.js';

const silent: Io = { stdout: () => undefined, stderr: () => undefined, color: false };
const noExit = (): void => undefined;

/** A command's help and its subcommands', as commander prints them. */
function helpOf(cmd: Command): string[] {
  return [cmd.helpInformation(), ...cmd.commands.flatMap(helpOf)];
}

/** Runs argv on the program with every command (what main did before it built one command only). */
async function fullProgram(argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = makeProgram({ stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), color: false }, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // main's mapping: help and the version exit 0, any other usage error 2.
    code = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code) ? 0 : 2;
  }
  return { code, stdout, stderr };
}

describe('the program with the one command argv names', () => {
  it('COMMAND_NAMES lists every command of the whole program, in its order', () => {
    expect(makeProgram(silent, noExit).commands.map((c) => c.name())).toEqual([...COMMAND_NAMES]);
  });

  it.each([...COMMAND_NAMES])('%s: the same command, options and help as in the whole program', (name) => {
    const whole = makeProgram(silent, noExit).commands.find((c) => c.name() === name)!;
    const alone = makeProgram(silent, noExit, name);
    expect(alone.commands.map((c) => c.name())).toEqual([name]);
    expect(helpOf(alone.commands[0]!)).toEqual(helpOf(whole));
    expect(alone.commands[0]!.options.map((o) => o.flags)).toEqual(whole.options.map((o) => o.flags));
  });

  it('the whole program for help, for an unknown command and for no command', () => {
    expect(commandToRun(['build', '-f', 'x.yaml', '-o', 'y.yml'])).toBe('build');
    expect(commandToRun(['volumes', 'create'])).toBe('volumes');
    expect(commandToRun(['build', '--help'])).toBeUndefined();
    expect(commandToRun(['validate', '-h'])).toBeUndefined();
    expect(commandToRun(['help', 'build'])).toBeUndefined();
    expect(commandToRun(['buil'])).toBeUndefined();
    expect(commandToRun(['--version'])).toBeUndefined();
    expect(commandToRun([])).toBeUndefined();
  });

  it.each([
    [['--help']],
    [['help']],
    [['help', 'build']],
    [['build', '--help']],
    [['volumes']],
    [['volumes', '--help']],
    [['buil']],
    [['build', '--nope']],
    [['build', '--target', 'k8s', '-f', 'x']],
    [['restore']],
    [['diff', 'a.yml']],
    [['patterns']],
  ])('main %j prints and exits as the whole program does', async (argv) => {
    const r = await cli(argv);
    expect(r).toEqual(await fullProgram(argv));
  });

  it('help lists every command; help build and an unknown command with a suggestion', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(top.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const helpBuild = await cli(['help', 'build']);
    expect(helpBuild.code).toBe(0);
    expect(helpBuild.stdout).toContain('Usage: compose-persist build [options]');
    expect(helpBuild.stdout).toBe((await cli(['build', '--help'])).stdout);
    const typo = await cli(['buil']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'buil'");
    expect(typo.stderr).toContain('(Did you mean build?)');
  });
});
