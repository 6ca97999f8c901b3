package cli

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// The keys commands run offline: they touch no server and no database.
// Root keys for a product's update repository are made, kept and used on a
// machine the server never reaches; only signed root metadata travels.

const defaultPassphraseEnv = "LIFELINE_KEY_PASSPHRASE"

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make and use offline root keys for update repositories",
		Long: `Make and use the offline root keys of a product's update repository (TUF).

These commands need no server: run them on an offline machine. Root keys sign
root metadata, which names the keys of every role; the server holds only the
online keys (targets, snapshot, timestamp) and never a root key.

A typical first setup, with two of three root keys required:

  lifeline tuf keys create smart-plug                   # on a connected machine
  lifeline tuf status smart-plug -o json > online.json  # carry this file over
  lifeline keys generate root-1.key                     # offline, three times
  lifeline keys root create --online-keys online.json \
      --root-key root-1.key --root-key root-2.key --root-public root-3.pub \
      --threshold 2 --out 1.root.json
  lifeline tuf root install smart-plug 1.root.json      # back online`,
	}
	root := &cobra.Command{Use: "root", Short: "Create, sign and check root metadata"}
	root.AddCommand(newKeysRootCreateCmd(), newKeysRootSignCmd(), newKeysRootVerifyCmd())
	cmd.AddCommand(newKeysGenerateCmd(), newKeysPublicCmd(), root)
	return cmd
}

// passphraseFlags say where a key file's passphrase comes from.
type passphraseFlags struct {
	env        string
	noPassword bool
}

func (p *passphraseFlags) register(cmd *cobra.Command, forWriting bool) {
	cmd.Flags().StringVar(&p.env, "passphrase-env", defaultPassphraseEnv, "environment variable holding the key files' passphrase")
	if forWriting {
		cmd.Flags().BoolVar(&p.noPassword, "insecure-no-passphrase", false, "INSECURE: write the private key unencrypted")
	}
}

func (p *passphraseFlags) get() []byte { return []byte(os.Getenv(p.env)) }

func readPrivateKey(path string, pass []byte) (tufrepo.KeyPair, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return tufrepo.KeyPair{}, err
	}
	priv, err := tufrepo.DecodePrivateKey(b, pass)
	if err != nil {
		return tufrepo.KeyPair{}, fmt.Errorf("%s: %w", path, err)
	}
	return tufrepo.KeyPairFromPrivate(priv)
}

// readPublicKey reads a TUF public key file written by "keys public" or
// "keys generate".
func readPublicKey(path string) (*metadata.Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k metadata.Key
	if err := json.Unmarshal(b, &k); err != nil || k.Type == "" {
		return nil, fmt.Errorf("%s: not a TUF public key file", path)
	}
	return &k, nil
}

func writePublicKey(path string, k *metadata.Key) error {
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func newKeysGenerateCmd() *cobra.Command {
	var pf passphraseFlags
	cmd := &cobra.Command{
		Use:   "generate FILE",
		Short: "Make a new Ed25519 root key: FILE (private, encrypted) and FILE.pub",
		Long: `Make a new Ed25519 key. The private key goes to FILE, encrypted with the
passphrase in $LIFELINE_KEY_PASSPHRASE (argon2id and AES-256-GCM); the public
key goes to FILE.pub. Keep FILE offline.`,
		Example: `  LIFELINE_KEY_PASSPHRASE='…' lifeline keys generate root-1.key`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pass := pf.get()
			if len(pass) == 0 && !pf.noPassword {
				return usageError{fmt.Errorf("set %s to the passphrase that protects the key, or pass --insecure-no-passphrase", pf.env)}
			}
			if pf.noPassword {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning: writing the private key UNENCRYPTED")
				pass = nil
			}
			kp, err := tufrepo.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			pem, err := tufrepo.EncodePrivateKey(kp.Private, pass, rand.Reader)
			if err != nil {
				return err
			}
			f, err := os.OpenFile(args[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			if _, err := f.Write(pem); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			if err := writePublicKey(args[0]+".pub", kp.Public); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "key %s\n  private: %s\n  public:  %s.pub\n", kp.ID, args[0], args[0])
			return nil
		},
	}
	pf.register(cmd, true)
	return cmd
}

func newKeysPublicCmd() *cobra.Command {
	var pf passphraseFlags
	cmd := &cobra.Command{
		Use: "public FILE", Short: "Print the TUF public key and key ID of a private key file", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kp, err := readPrivateKey(args[0], pf.get())
			if err != nil {
				return err
			}
			b, _ := json.MarshalIndent(map[string]any{"key_id": kp.ID, "public_key": kp.Public}, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		},
	}
	pf.register(cmd, false)
	return cmd
}

// readOnlineKeys reads the server's online keys from the output of
// "lifeline tuf status -o json" (or a bare list of keys).
func readOnlineKeys(path string) ([]tufrepo.OnlineKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var status struct {
		Keys []tufrepo.OnlineKey `json:"online_keys"`
	}
	if err := json.Unmarshal(b, &status); err == nil && len(status.Keys) > 0 {
		return status.Keys, nil
	}
	var keys []tufrepo.OnlineKey
	if err := json.Unmarshal(b, &keys); err != nil || len(keys) == 0 {
		return nil, fmt.Errorf("%s: expected the output of 'lifeline tuf status PRODUCT -o json'", path)
	}
	return keys, nil
}

func newKeysRootCreateCmd() *cobra.Command {
	var (
		pf                           passphraseFlags
		onlineKeys, previous, out    string
		rootKeyFiles, publicKeyFiles []string
		signKeyFiles                 []string
		threshold                    int
		expires                      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Build root metadata from root keys and the server's online keys, and sign it",
		Long: `Build a product's root metadata and sign it.

The root lists the root keys (--root-key files, which also sign; --root-public
files, which are listed but sign elsewhere with "keys root sign") with their
--threshold, and the server's online keys from --online-keys: for each online
role the pending keys if it has any (rotating them), otherwise the active ones.

With --previous, the new root is the next version of that root: it keeps the
previous root keys and threshold unless --root-key, --root-public or
--threshold change them, and must be signed by the thresholds of both the
previous root and itself (use --sign-key for an old key that is no longer
listed).`,
		Example: `  # The first root, two of three keys required; the third signs later
  lifeline keys root create --online-keys online.json --root-key root-1.key \
      --root-key root-2.key --root-public root-3.key.pub --threshold 2 --out 1.root.json

  # Rotate the timestamp key after "lifeline tuf keys create PRODUCT --role timestamp"
  lifeline keys root create --previous 1.root.json --online-keys online.json \
      --sign-key root-1.key --sign-key root-2.key --out 2.root.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if onlineKeys == "" || out == "" {
				return usageError{errors.New("--online-keys and --out are required")}
			}
			keys, err := readOnlineKeys(onlineKeys)
			if err != nil {
				return err
			}
			roles, err := tufrepo.ChooseOnlineKeys(keys)
			if err != nil {
				return err
			}
			pass := pf.get()
			var signers []tufrepo.KeyPair
			var rootPubs []*metadata.Key
			for _, f := range rootKeyFiles {
				kp, err := readPrivateKey(f, pass)
				if err != nil {
					return err
				}
				signers = append(signers, kp)
				rootPubs = append(rootPubs, kp.Public)
			}
			for _, f := range publicKeyFiles {
				k, err := readPublicKey(f)
				if err != nil {
					return err
				}
				rootPubs = append(rootPubs, k)
			}
			for _, f := range signKeyFiles {
				kp, err := readPrivateKey(f, pass)
				if err != nil {
					return err
				}
				signers = append(signers, kp)
			}
			spec := tufrepo.RootSpec{Version: 1, Expires: time.Now().Add(expires), Roles: roles}
			if previous != "" {
				prev, err := os.ReadFile(previous)
				if err != nil {
					return err
				}
				pm, err := metadata.Root().FromBytes(prev)
				if err != nil {
					return fmt.Errorf("%s: %w", previous, err)
				}
				spec.Version = pm.Signed.Version + 1
				if len(rootPubs) == 0 {
					for _, id := range pm.Signed.Roles[tufrepo.Root].KeyIDs {
						rootPubs = append(rootPubs, pm.Signed.Keys[id])
					}
				}
				if threshold == 0 {
					threshold = pm.Signed.Roles[tufrepo.Root].Threshold
				}
			}
			if threshold == 0 {
				threshold = 1
			}
			spec.Roles[tufrepo.Root] = tufrepo.RoleKeys{Keys: rootPubs, Threshold: threshold}
			md, err := tufrepo.NewRoot(spec)
			if err != nil {
				return err
			}
			b, err := md.ToBytes(true)
			if err != nil {
				return err
			}
			for _, s := range signers {
				if b, err = tufrepo.SignRoot(b, s.Signer()); err != nil {
					return err
				}
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote root version %d to %s, signed by %d key(s); %d of %d root keys must sign\n",
				spec.Version, out, len(signers), threshold, len(rootPubs))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&onlineKeys, "online-keys", "", "the output of 'lifeline tuf status PRODUCT -o json'")
	f.StringVar(&previous, "previous", "", "the current root, to make its next version")
	f.StringSliceVar(&rootKeyFiles, "root-key", nil, "private root key file to list and sign with (repeatable)")
	f.StringSliceVar(&publicKeyFiles, "root-public", nil, "public root key file to list without signing (repeatable)")
	f.StringSliceVar(&signKeyFiles, "sign-key", nil, "private key file that only signs, e.g. a previous root key (repeatable)")
	f.IntVar(&threshold, "threshold", 0, "root keys needed to sign a root (default: the previous root's, or 1)")
	f.DurationVar(&expires, "expires", tufrepo.DefaultRootExpiry, "how long the root stays valid")
	f.StringVar(&out, "out", "", "file to write the signed root to")
	pf.register(cmd, false)
	return cmd
}

func newKeysRootSignCmd() *cobra.Command {
	var pf passphraseFlags
	var keyFiles []string
	cmd := &cobra.Command{
		Use: "sign ROOT.json --key FILE", Short: "Add signatures to root metadata in place, for threshold signing on separate machines", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(keyFiles) == 0 {
				return usageError{errors.New("--key is required")}
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			for _, f := range keyFiles {
				kp, err := readPrivateKey(f, pf.get())
				if err != nil {
					return err
				}
				if b, err = tufrepo.SignRoot(b, kp.Signer()); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "signed with %s\n", kp.ID)
			}
			return os.WriteFile(args[0], b, 0o644)
		},
	}
	cmd.Flags().StringSliceVar(&keyFiles, "key", nil, "private key file (repeatable)")
	pf.register(cmd, false)
	return cmd
}

func newKeysRootVerifyCmd() *cobra.Command {
	var previous string
	cmd := &cobra.Command{
		Use: "verify ROOT.json", Short: "Check root metadata as the server will before installing it", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var prev []byte
			if previous != "" {
				if prev, err = os.ReadFile(previous); err != nil {
					return err
				}
			}
			root, err := tufrepo.VerifyRoot(prev, b, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "root version %d is valid until %s and meets its signature thresholds\n", root.Signed.Version, root.Signed.Expires.Format(time.DateOnly))
			return nil
		},
	}
	cmd.Flags().StringVar(&previous, "previous", "", "the root it must follow (omit for a first root)")
	return cmd
}
