// Session ("now") confs belong to one notebook's Spark session, which lives in its kernel: they
// are set there, by the package's own function, through an execute request that runs no cell
// (empty code, not in the history) and evaluates one user expression.

import { INotebookTracker } from '@jupyterlab/notebook';

export interface IApplied {
  ok: boolean;
  applied: Record<string, string>;
  text: string;
}

/** Set `items` on the session of the notebook the user last worked in. */
export async function applySessionConf(
  tracker: INotebookTracker | null,
  items: Record<string, string>
): Promise<IApplied> {
  const names = Object.keys(items).sort().join(', ');
  const panel = tracker?.currentWidget ?? null;
  const kernel = panel?.sessionContext.session?.kernel ?? null;
  if (panel === null || kernel === null) {
    return {
      ok: false,
      applied: {},
      text: `${names} apply to a notebook's session: open the notebook (with its kernel running) and Apply again.`
    };
  }
  // Keys and values are strings: their JSON is a Python literal as well.
  const call = `__import__('sparkconnect').apply_session_conf(${JSON.stringify(items)})`;
  const future = kernel.requestExecute({
    code: '',
    silent: false,
    store_history: false,
    user_expressions: { r: call },
    allow_stdin: false,
    stop_on_error: false
  });
  const reply = await future.done;
  const content = reply.content as any;
  const result = content?.user_expressions?.r;
  const where = panel.context.path.split('/').pop();
  if (content?.status !== 'ok' || !result || result.status !== 'ok') {
    const why = result?.evalue || content?.evalue || 'the kernel did not answer';
    return { ok: false, applied: {}, text: `${names} not applied to ${where}: ${why}` };
  }
  const answer = result.data?.['application/json'] as IApplied | undefined;
  if (!answer) {
    return { ok: false, applied: {}, text: `${names} not applied to ${where}: no answer` };
  }
  return answer;
}
