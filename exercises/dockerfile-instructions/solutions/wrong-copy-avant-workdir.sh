docker build -t mon-site:1.0 .
docker run -d -P --name site mon-site:1.0
docker port site
docker exec site cat index.html
