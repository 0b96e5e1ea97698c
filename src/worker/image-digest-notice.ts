/**
 * A notice when the sandbox's images differ from those an earlier grade with the same definition
 * ran on (a base image rebuilt since last term): the regrade still happens, and says so, since its
 * result may then differ for a reason that is neither the student's nor the definition's.
 */
export function imageDigestNotice(before: Record<string, string>, after: Record<string, string>): string | undefined {
  const short = (d: string | undefined) => (d ? d.replace(/^sha256:/, '').slice(0, 12) : 'absente');
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .sort()
    .filter((tag) => before[tag] !== after[tag])
    .map((tag) => `${tag} (${short(before[tag])} → ${short(after[tag])})`);
  if (changed.length === 0) return undefined;
  return `Les images du bac à sable ont changé depuis la première correction avec cette version de l'exercice : ${changed.join(', ')}. Le résultat peut en dépendre.`;
}
