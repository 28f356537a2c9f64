// The explorer's GraphQL operations. Each view is one request (the
// details panel two: the person, then their hospital's matrix); every one
// fits the service's default cost limit (cmd/kolgraph tests the territory
// picture's, the largest).

export const START = `query Start { territories { id name } products { id name } }`;

export const SEARCH = `query Search($q: String!, $id: ID!) {
  hcps(filter: {nameContains: $q}, first: 15) { totalCount edges { node { id name positionLabel hospital { id name } } } }
  hospitals(filter: {nameContains: $q}, first: 10) { totalCount edges { node { id name city tier } } }
  node(id: $id) { __typename ... on HCP { id name positionLabel hospital { id name } } ... on Hospital { id name city tier } }
}`;

const NET = `totalNodes totalEdges truncated graphVersion
  nodes { distance influence hcp { id name position positionLabel department { id name } hospital { id name } } }
  edges { from to weight kind }`;

export const HOSPITAL = `query Hospital($h: ID!, $p: ID) {
  hospital(id: $h) { id name tier city committees { id name kind members { role hcp { id } } } }
  scopeGraph(scope: {hospital: $h}, first: 1000, firstEdges: 10000) { ${NET} }
  decisionChain(hospital: $h, product: $p) { stages { order kind label people { role hcp { id } } } }
  accountMatrix(scope: {hospital: $h}, product: $p) { cells { segment members(first: 500) { edges { node { id } } } } }
}`;

export const EGO = `query Ego($c: ID!, $hops: Int, $w: Float, $d: InfluenceDirection) {
  neighborhood(center: $c, hops: $hops, minWeight: $w, direction: $d, first: 1500, firstEdges: 15000) { ${NET} }
}`;

// The territory picture: kept in step with explorerTerritoryQuery in
// cmd/kolgraph/network_e2e_test.go, which checks it fits the default limit.
export const TERRITORY = `query Territory($t: ID!) { scopeGraph(scope: {territory: $t}, first: 2500, firstEdges: 30000) {
	totalNodes totalEdges truncated graphVersion
	nodes { influence hcp { id name position hospital { id } } }
	edges { from to weight } } }`;

// Warms the territory's INFLUENCE ranking (see boot in main.ts).
export const WARM = `query Warm($t: ID!) { scopeGraph(scope: {territory: $t}, first: 0, firstEdges: 0) { totalNodes } }`;

export const PATHS = `query Paths($from: [ID!], $to: ID!, $k: Int, $avoid: [ID!], $via: [Position!]) {
  strongestPaths(from: $from, to: $to, k: $k, avoid: $avoid, via: $via) {
    id strength graphVersion computedAt
    source { id name } target { id name }
    entry { strength }
    hops { from { id name positionLabel } to { id name positionLabel } kind weight evidence }
  }
}`;

export const DETAILS = `query Details($id: ID!) {
  hcp(id: $id) { id name role positionLabel specialty isKOL kolLevel kolEvidence
    department { id name } hospital { id name }
    committees { role committee { id name kind } }
    influence { value rank percentile scopeSize graphVersion components { name raw normalized weight contribution } }
  }
}`;

export const SEGMENT = `query Segment($h: ID!, $p: ID) {
  accountMatrix(scope: {hospital: $h}, product: $p) {
    cells { segment members(first: 500) { edges { node { id segment playbook accessFirst cadence { label contactLabel } } } } }
  }
}`;

export const CONTACT = `query ContactCard($id: ID!) { hcp(id: $id) { id phone email wechat } }`;

export const MATRIX_HEAD = `query MatrixHead($t: ID!, $p: ID) {
  accountMatrix(scope: {territory: $t}, product: $p) {
    scopeName classifiedCount unclassifiedCount graphVersion
    potentialCutOff { threshold } influenceCutOff { threshold }
    cells { segment count }
  }
}`;

export const MATRIX_CELL = `query MatrixCell($t: ID!, $p: ID, $s: Segment!, $after: String) {
  accountMatrix(scope: {territory: $t}, product: $p) {
    cell(segment: $s) { members(first: 500, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id name potential influence segment hospital { id } } } } }
  }
}`;

export const HEAT = `query Heat($t: ID!, $p: ID) {
  accountMatrix(scope: {territory: $t}, product: $p, level: DEPARTMENT) {
    heatMap { bins edges min max unknown
      cells { id name potential policySensitivity competitorPenetration value bin hospital { id name } } }
  }
}`;
