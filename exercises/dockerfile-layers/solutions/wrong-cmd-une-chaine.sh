# Chapitre 4 : les couches d'une image et le bad layering
cd v1
docker build -t app-couches:v1 .
docker history app-couches:v1
cd ../v2
docker build -t app-couches:v2 .
docker history app-couches:v2
docker run --name essai app-couches:v2
docker images app-couches
