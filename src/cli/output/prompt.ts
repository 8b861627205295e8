/**
 * Interactive questions (inquirer), asked only where kts adds a safety net Kafka's tools lack
 * (e.g. `kts topics --delete` whose pattern matches several topics). Never in a pipe: a question is
 * asked only when stdin AND stdout are terminals; otherwise the caller behaves as Kafka's tool does.
 * inquirer is imported on first use, so commands that never ask do not pay for loading it.
 */

/** What `canPrompt` looks at. */
export interface Terminal {
  stdin: {isTTY?: boolean}
  stdout: {isTTY?: boolean}
}

/** True when a question can be asked: stdin and stdout are both TTYs. */
export function canPrompt(term: Terminal = process): boolean {
  return term.stdin.isTTY === true && term.stdout.isTTY === true
}

/**
 * Asks a yes/no question (default No) on the terminal. Ctrl-C or a closed terminal counts as No.
 * Call only when `canPrompt()`.
 */
export async function confirm(message: string): Promise<boolean> {
  const {default: inquirer} = await import('inquirer')
  try {
    const answers = await inquirer.prompt<{ok: boolean}>([{type: 'confirm', name: 'ok', message, default: false}])
    return answers.ok
  } catch (err) {
    // ExitPromptError (Ctrl-C) / AbortPromptError: the user did not say yes.
    if (err instanceof Error && /Prompt|cancel/i.test(err.name)) return false
    throw err
  }
}
