package io.vecraft.server;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftIOException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a TLS identity from PEM files into an in-memory {@link KeyStore}: a certificate chain
 * ({@code -----BEGIN CERTIFICATE-----} blocks, leaf first) and an unencrypted PKCS#8 private key
 * ({@code -----BEGIN PRIVATE KEY-----}, RSA or EC; convert a PKCS#1 key with
 * {@code openssl pkcs8 -topk8 -nocrypt}).
 *
 * <p>Stateless; thread-safe.
 */
final class Pem {

    /** Password of the in-memory key store (never written anywhere). */
    static final char[] PASSWORD = "vecraft".toCharArray();

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private Pem() {
    }

    static KeyStore keyStore(Path certificate, Path privateKey) {
        try {
            List<Certificate> chain = certificates(certificate);
            PrivateKey key = privateKey(privateKey);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, PASSWORD, chain.toArray(new Certificate[0]));
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidArgumentException("server.tls", "cannot build a key store from " + certificate + " and "
                    + privateKey + ": " + e.getMessage());
        }
    }

    static List<Certificate> certificates(Path file) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Certificate> out = new ArrayList<>();
        for (byte[] der : blocks(file, "CERTIFICATE")) {
            out.add(cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        if (out.isEmpty()) {
            throw new InvalidArgumentException("server.tls.certificate", file + " holds no BEGIN CERTIFICATE block");
        }
        return out;
    }

    static PrivateKey privateKey(Path file) throws GeneralSecurityException {
        List<byte[]> keys = blocks(file, "PRIVATE KEY");
        if (keys.isEmpty()) {
            throw new InvalidArgumentException("server.tls.privateKey", file
                    + " holds no unencrypted PKCS#8 'BEGIN PRIVATE KEY' block (convert with openssl pkcs8 -topk8 -nocrypt)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new InvalidArgumentException("server.tls.privateKey", file + ": not an RSA, EC or Ed25519 PKCS#8 key");
    }

    private static List<byte[]> blocks(Path file, String type) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new VecraftIOException("cannot read PEM file " + file, e);
        }
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }
}
