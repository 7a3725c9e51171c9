# The Switchboard engine. Prompts for the sample flow are synthesized at build time.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng sox python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web && npm run prompts
ENV SWITCHBOARD_PBX=asterisk SWITCHBOARD_DB=/data/switchboard.db NODE_ENV=production
VOLUME ["/data"]
CMD ["npm", "start"]
