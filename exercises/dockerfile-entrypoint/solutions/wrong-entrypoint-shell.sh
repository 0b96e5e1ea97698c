docker build -t bonjour .
docker run bonjour
docker run bonjour Docker
