docker build -t mon-site:1.0 .
# EXPOSE ne publie rien à lui seul : sans -P (ou -p), aucun port de l'hôte n'est ouvert
docker run -d --name site mon-site:1.0
docker port site
