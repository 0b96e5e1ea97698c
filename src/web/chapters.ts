/**
 * Titles of the course's chapters, keyed by the chapter file an exercise names (`chapter:` in
 * exercise.yaml). A chapter missing here still shows, titled from its file name.
 */
const TITLES: Record<string, string> = {
  '1-creation-et-lancement-d-un-conteneur.md': "1. Création et lancement d'un conteneur",
  '2-decouvrir-les-bases-de-docker.md': '2. Découvrir les bases de Docker',
  '3.2-conteneurs-docker.md': '3.2 Conteneurs Docker',
  '3.5-executer-des-commandes-dans-un-conteneur.md': '3.5 Exécuter des commandes dans un conteneur',
  '4-docker-avance-images-dockerfile-volumes-reseaux.md': '4. Docker avancé : images, Dockerfile, volumes, réseaux',
};

export function chapterTitle(file: string): string {
  if (!file) return 'Autres exercices';
  if (TITLES[file]) return TITLES[file];
  const m = /^([\d.]+)-(.*)\.md$/.exec(file);
  const words = (m ? m[2] : file.replace(/\.md$/, '')).replace(/-/g, ' ');
  return `${m ? `${m[1]} ` : ''}${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

/** Chapter files sort by their number (1, 2, 3.2, 3.5, 4), unnumbered last. */
export function compareChapters(a: string, b: string): number {
  const num = (f: string) => {
    const m = /^(\d+)(?:\.(\d+))?-/.exec(f);
    return m ? Number(m[1]) * 1000 + Number(m[2] ?? 0) : Number.MAX_SAFE_INTEGER;
  };
  return num(a) - num(b) || a.localeCompare(b);
}
