import { parseRoster } from './roster.csv';

describe('parseRoster', () => {
  it('keeps good lines and reports each bad one with its line number, in French', () => {
    const csv = [
      'email,name,group',
      'Alice@Example.org,Alice Martin,TP1',
      'bob@example.org,,TP2',
      'pas-une-adresse,X,',
      'alice@example.org,Alice bis,TP1',
      '"carole@example.org","Dupré, Carole",TP 2',
      '',
    ].join('\n');
    const { lines, errors } = parseRoster(csv);
    expect(lines).toEqual([
      { line: 2, email: 'alice@example.org', name: 'Alice Martin', group: 'TP1' },
      { line: 6, email: 'carole@example.org', name: 'Dupré, Carole', group: 'TP 2' },
    ]);
    expect(errors).toEqual([
      { line: 3, message: 'nom manquant' },
      { line: 4, message: 'adresse e-mail invalide : « pas-une-adresse »' },
      { line: 5, message: 'adresse e-mail en double (déjà à la ligne 2)' },
    ]);
  });

  it('refuses control characters, reads ; files with a BOM, and reports a broken file', () => {
    const multi = parseRoster('email,name,group\n"a@b.fr","A\tB",\nbad,X,\n');
    expect(multi.errors).toEqual([
      { line: 2, message: 'nom invalide (200 caractères au plus, sans caractère de contrôle)' },
      { line: 3, message: 'adresse e-mail invalide : « bad »' },
    ]);
    expect(parseRoster('\uFEFFemail;nom;groupe\nx@y.fr;X;G\n').lines).toEqual([
      { line: 2, email: 'x@y.fr', name: 'X', group: 'G' },
    ]);
    expect(parseRoster('email,name\n"x@y.fr,X\n').errors[0].message).toMatch(/fichier CSV illisible/);
    expect(parseRoster('').errors[0].message).toMatch(/fichier vide/);
  });
});
