# Chapitre 4 : un Dockerfile avec FROM, LABEL, ENV, WORKDIR, COPY et EXPOSE
docker build -t mon-site:1.0 .
docker image inspect mon-site:1.0
# -P publie les ports exposés (EXPOSE) sur des ports libres de l'hôte
docker run -d -P --name site mon-site:1.0
docker port site
docker exec site pwd
docker exec site printenv SITE_VERSION
docker exec site cat index.html
