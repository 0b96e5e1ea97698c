# construit « mon-site » (c'est-à-dire mon-site:latest) au lieu de mon-site:1.0
docker build -t mon-site .
docker run -d -P --name site mon-site
docker port site
