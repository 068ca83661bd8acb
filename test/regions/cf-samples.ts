/**
 * `request.cf` objects shaped as Cloudflare documents IncomingRequestCfProperties (the fields the
 * region mapping reads, plus the usual neighbours), one per kind of place the mapping must tell
 * apart. Values are strings where Cloudflare sends strings (latitude, longitude).
 */
export interface CfSample {
  where: string;
  cf: Record<string, unknown>;
  region: string;
}

const common = { asn: 13335, colo: "XXX", httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3", clientTcpRtt: 12 };

export const CF_SAMPLES: CfSample[] = [
  {
    where: "San Francisco",
    region: "wnam",
    cf: {
      ...common,
      colo: "SJC",
      continent: "NA",
      country: "US",
      regionCode: "CA",
      city: "San Francisco",
      latitude: "37.77490",
      longitude: "-122.41940",
      timezone: "America/Los_Angeles",
    },
  },
  { where: "Seattle, no coordinates", region: "wnam", cf: { ...common, colo: "SEA", continent: "NA", country: "US", regionCode: "WA" } },
  {
    where: "Vancouver",
    region: "wnam",
    cf: { ...common, colo: "YVR", continent: "NA", country: "CA", regionCode: "BC", latitude: "49.28270", longitude: "-123.12070" },
  },
  {
    where: "Ashburn",
    region: "enam",
    cf: {
      ...common,
      colo: "IAD",
      continent: "NA",
      country: "US",
      regionCode: "VA",
      city: "Ashburn",
      latitude: "39.04380",
      longitude: "-77.48740",
    },
  },
  { where: "Toronto, no coordinates", region: "enam", cf: { ...common, colo: "YYZ", continent: "NA", country: "CA", regionCode: "ON" } },
  {
    where: "Mexico City",
    region: "enam",
    cf: { ...common, colo: "MEX", continent: "NA", country: "MX", regionCode: "CMX", latitude: "19.43260", longitude: "-99.13320" },
  },
  {
    where: "São Paulo",
    region: "sam",
    cf: { ...common, colo: "GRU", continent: "SA", country: "BR", regionCode: "SP", latitude: "-23.55050", longitude: "-46.63330" },
  },
  {
    where: "London",
    region: "weur",
    cf: { ...common, colo: "LHR", continent: "EU", country: "GB", regionCode: "ENG", latitude: "51.50740", longitude: "-0.12780" },
  },
  {
    where: "Amsterdam",
    region: "weur",
    cf: { ...common, colo: "AMS", continent: "EU", country: "NL", latitude: "52.36760", longitude: "4.90410" },
  },
  {
    where: "Warsaw",
    region: "eeur",
    cf: { ...common, colo: "WAW", continent: "EU", country: "PL", latitude: "52.22970", longitude: "21.01220" },
  },
  { where: "Kyiv", region: "eeur", cf: { ...common, colo: "KBP", continent: "EU", country: "UA" } },
  {
    where: "Singapore",
    region: "apac",
    cf: { ...common, colo: "SIN", continent: "AS", country: "SG", latitude: "1.35210", longitude: "103.81980" },
  },
  { where: "Tokyo", region: "apac", cf: { ...common, colo: "NRT", continent: "AS", country: "JP", regionCode: "13" } },
  {
    where: "Dubai",
    region: "me",
    cf: { ...common, colo: "DXB", continent: "AS", country: "AE", latitude: "25.20480", longitude: "55.27080" },
  },
  { where: "Tel Aviv", region: "me", cf: { ...common, colo: "TLV", continent: "AS", country: "IL" } },
  { where: "Cairo", region: "me", cf: { ...common, colo: "CAI", continent: "AF", country: "EG" } },
  {
    where: "Sydney",
    region: "oc",
    cf: { ...common, colo: "SYD", continent: "OC", country: "AU", regionCode: "NSW", latitude: "-33.86880", longitude: "151.20930" },
  },
  { where: "Auckland", region: "oc", cf: { ...common, colo: "AKL", continent: "OC", country: "NZ" } },
  {
    where: "Johannesburg",
    region: "afr",
    cf: { ...common, colo: "JNB", continent: "AF", country: "ZA", latitude: "-26.20410", longitude: "28.04730" },
  },
  { where: "Lagos", region: "afr", cf: { ...common, colo: "LOS", continent: "AF", country: "NG" } },
  {
    where: "McMurdo (Antarctica), by coordinates",
    region: "oc",
    cf: { ...common, continent: "AN", country: "AQ", latitude: "-77.84630", longitude: "166.66830" },
  },
  { where: "Tor exit, no coordinates", region: "enam", cf: { ...common, country: "T1" } },
];
