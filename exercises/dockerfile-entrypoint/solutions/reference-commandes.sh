# La même chose en commandes tapées (le Dockerfile est joint)
docker build -t bonjour .
docker image inspect bonjour
docker run --name essai1 bonjour
docker run --name essai2 bonjour Docker
