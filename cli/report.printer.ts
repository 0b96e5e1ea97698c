import type { GradeReport } from '../src/grading/grade-submission';

/** The JSON form of `npm run grade -- … --json`: stable fields for scripts and CI. */
export function reportJson(report: GradeReport): object {
  return {
    status: report.status,
    score: report.score,
    maxScore: report.maxScore,
    checks: report.checks.map((c) => ({
      id: c.id,
      passed: c.passed,
      points: c.points,
      maxPoints: c.maxPoints,
      message: c.message,
    })),
    transcript: report.transcript,
    exerciseVersion: report.exerciseVersion,
    imageDigests: report.imageDigests,
    notices: report.notices,
    ...(report.rejected ? { rejected: report.rejected } : {}),
    ...(report.error ? { error: report.error } : {}),
  };
}

/** A readable report for a terminal: score, each check with its feedback, notices, transcript. */
export function reportText(report: GradeReport, title: string): string {
  const out: string[] = [];
  out.push(`${title}`);
  if (report.status === 'error') {
    out.push(`ERREUR d'infrastructure (pas une note) / infrastructure error (not a grade): ${report.error}`);
    return out.join('\n');
  }
  out.push(
    `Note / score: ${fmt(report.score)} / ${fmt(report.maxScore)}   (${(report.durationMs / 1000).toFixed(1)} s, version ${report.exerciseVersion.slice(0, 12)})`,
  );
  out.push('');
  for (const c of report.checks) {
    out.push(
      `${c.passed ? '✔' : '✘'} [${fmt(c.points)}/${fmt(c.maxPoints)}] ${c.id}${c.hidden ? ' (cachée / hidden)' : ''} — ${c.title}`,
    );
    out.push(`    ${c.message}`);
    if (c.detail) out.push(`    · ${c.detail}`);
  }
  if (report.notices.length > 0) {
    out.push('', 'Remarques / notices:');
    for (const n of report.notices) out.push(`  - ${n}`);
  }
  out.push('', 'Commandes / transcript:');
  for (const e of report.transcript) {
    const status = e.refused
      ? 'refusée'
      : e.skipped
        ? 'non exécutée'
        : e.stoppedBy
          ? `arrêtée (${e.stoppedBy})`
          : `code ${e.exitCode}`;
    out.push(`  ${String(e.index + 1).padStart(2)}. $ ${e.text}   → ${status}, ${e.durationMs} ms`);
    if (e.stdin !== undefined) out.push(`      stdin: ${JSON.stringify(e.stdin)}`);
    // stdout after `|`, stderr after `!`.
    for (const [text, mark] of [
      [e.output, '|'],
      [e.stderr ?? '', '!'],
    ]) {
      const lines = text
        .trimEnd()
        .split('\n')
        .filter((l) => l !== '');
      for (const l of lines.slice(0, 6)) out.push(`      ${mark} ${l.slice(0, 160)}`);
      if (lines.length > 6) out.push(`      ${mark} … (${lines.length - 6} more lines)`);
    }
  }
  return out.join('\n');
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
